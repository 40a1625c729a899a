/**
 * `POST /graphql`: GitHub's GraphQL API for Projects v2, as far as the service uses it. Every
 * operation is first validated against GitHub's published schema (`@octokit/graphql-schema`, with
 * `graphql`'s `validate`); an invalid one gets GitHub's `{errors:[…]}` answer. Valid ones are
 * executed by `graphql` itself on that same schema, over the stand-in's projects: an issue's
 * `projectItems` (with the project's `field(name:)` and the item's `fieldValueByName(name:)`) and
 * `updateProjectV2ItemFieldValue` with a single-select option. A project the token may not edit
 * answers the mutation with GitHub's `FORBIDDEN` error.
 */
import {
  buildClientSchema,
  execute,
  GraphQLError,
  type GraphQLSchema,
  type IntrospectionQuery,
  parse,
  validate,
} from "graphql";
import { schema as published } from "@octokit/graphql-schema";
import { json } from "./responses.ts";
import type { StandInState } from "./state.ts";
import { nodeId } from "./wire_repo.ts";

/** A Projects v2 board with a `Status` single-select field. */
export interface StandInProject {
  id: string;
  title: string;
  /** `Status` options in board order; none: the project has no `Status` field. */
  statuses: string[];
  /** Whether the token may edit the project. */
  editable: boolean;
  /** Its items: an issue (`owner/name#N`) → its `Status` (undefined: no status yet). */
  items: Map<string, string | undefined>;
  /** Every `Status` set through the API, in order. */
  moves: Array<{ issue: string; status: string }>;
}

/** The stand-in's projects, per stand-in. */
export const projectsOf = new WeakMap<StandInState, StandInProject[]>();

/** The projects of `state`, created empty. */
export function projects(state: StandInState): StandInProject[] {
  let list = projectsOf.get(state);
  if (!list) projectsOf.set(state, list = []);
  return list;
}

let built: GraphQLSchema | undefined;

/**
 * GitHub's schema, built once from its published introspection result (as `@octokit/graphql-schema`'s
 * own `validate` does; the published IDL defines two fields twice, which `buildSchema` refuses).
 */
function githubSchema(): GraphQLSchema {
  built ??= buildClientSchema(published.json as IntrospectionQuery);
  return built;
}

const optionId = (project: StandInProject, name: string) =>
  `${project.id}_opt_${project.statuses.indexOf(name)}`;
const itemId = (project: StandInProject, issue: string) => nodeId("PVTI", `${project.id}/${issue}`);
const fieldId = (project: StandInProject) => `${project.id}_status`;

/** The objects `graphql`'s default resolvers read: plain values, and functions of the field's arguments. */
function rootValue(state: StandInState) {
  const board = projects(state);
  const projectNode = (project: StandInProject) => ({
    id: project.id,
    title: project.title,
    field: ({ name }: { name: string }) =>
      name === "Status" && project.statuses.length > 0
        ? {
          __typename: "ProjectV2SingleSelectField",
          id: fieldId(project),
          name: "Status",
          options: project.statuses.map((status) => ({ id: optionId(project, status), name: status })),
        }
        : null,
  });
  return {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = state.repo(owner, name);
      if (!repo) return null;
      return {
        issue: ({ number }: { number: number }) => {
          if (!repo.issues.has(number)) return null;
          const key = `${repo.owner}/${repo.name}#${number}`;
          const nodes = board.filter((p) => p.items.has(key)).map((project) => {
            const status = project.items.get(key);
            return {
              id: itemId(project, key),
              project: projectNode(project),
              fieldValueByName: ({ name }: { name: string }) =>
                name === "Status" && status !== undefined
                  ? { __typename: "ProjectV2ItemFieldSingleSelectValue", name: status }
                  : null,
            };
          });
          return { projectItems: { nodes, totalCount: nodes.length } };
        },
      };
    },
    updateProjectV2ItemFieldValue: ({ input }: { input: Record<string, unknown> }) => {
      const project = board.find((p) => p.id === input.projectId);
      const key = project && [...project.items.keys()].find((k) => itemId(project, k) === input.itemId);
      if (!project || key === undefined || input.fieldId !== fieldId(project)) {
        throw new GraphQLError("Could not resolve to a node with the global id.", {
          extensions: { type: "NOT_FOUND" },
        });
      }
      if (!project.editable) {
        throw new GraphQLError(
          "Resource not accessible by integration",
          { extensions: { type: "FORBIDDEN" } },
        );
      }
      const value = input.value as { singleSelectOptionId?: string } | undefined;
      const status = project.statuses.find((s) => optionId(project, s) === value?.singleSelectOptionId);
      if (status === undefined) {
        throw new GraphQLError("The single select option Id does not belong to the field", {
          extensions: { type: "UNPROCESSABLE" },
        });
      }
      project.items.set(key, status);
      project.moves.push({ issue: key, status });
      return { projectV2Item: { id: itemId(project, key) } };
    },
  };
}

/** GitHub's error shape: `type` beside `message`, `locations` and `path`. */
function errorJson(error: GraphQLError) {
  return {
    ...(typeof error.extensions.type === "string" ? { type: error.extensions.type } : {}),
    message: error.message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
  };
}

/** Answers one `POST /graphql` body (`{query, variables}`). */
export async function graphqlRoute(state: StandInState, body: unknown): Promise<Response> {
  const request = body as { query?: unknown; variables?: unknown } | undefined;
  if (typeof request?.query !== "string") {
    return json(200, { errors: [{ message: "A query attribute must be specified and must be a string." }] });
  }
  let document;
  try {
    document = parse(request.query);
  } catch (error) {
    return json(200, { errors: [errorJson(error as GraphQLError)] });
  }
  const problems = validate(githubSchema(), document);
  if (problems.length > 0) return json(200, { errors: problems.map(errorJson) });
  const result = await execute({
    schema: githubSchema(),
    document,
    rootValue: rootValue(state),
    variableValues: (request.variables ?? {}) as Record<string, unknown>,
  });
  return json(200, {
    data: result.data ?? null,
    ...(result.errors ? { errors: result.errors.map(errorJson) } : {}),
  });
}
