/**
 * The project board (GitHub Projects v2, GraphQL only): finds an issue's project items and sets each
 * one's `Status` single-select field to a column by name. Used by the gateway's
 * {@link GitHubGateway.moveOnBoard}; the queries are GitHub's published schema (the stand-in validates
 * them against `@octokit/graphql-schema`).
 *
 * Permissions: `organization_projects` (write) or `repository_projects` (write) for the board, issues
 * (read) for the issue's items. A token that may read but not edit the project answers the mutation
 * with a `FORBIDDEN` GraphQL error: the move is then `forbidden`, never a thrown error.
 */
import { GraphqlResponseError } from "@octokit/graphql";
import type { BoardMove, RepoRef } from "./gateway.ts";
import { name, type OctokitCalls } from "./octokit_calls.ts";

/** The name of the single-select field boards use for their columns (GitHub's default). */
export const STATUS_FIELD = "Status";

/** An issue's project items with each project's Status field and the item's current Status. */
export const PROJECT_ITEMS_QUERY = `
query ProjectItems($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    issue(number: $number) {
      projectItems(first: 20) {
        nodes {
          id
          project {
            id
            title
            field(name: "${STATUS_FIELD}") {
              ... on ProjectV2SingleSelectField { id options { id name } }
            }
          }
          fieldValueByName(name: "${STATUS_FIELD}") {
            ... on ProjectV2ItemFieldSingleSelectValue { name }
          }
        }
      }
    }
  }
}`;

/** Sets one item's single-select field to one option. */
export const SET_STATUS_MUTATION = `
mutation SetStatus($project: ID!, $item: ID!, $field: ID!, $option: String!) {
  updateProjectV2ItemFieldValue(
    input: { projectId: $project, itemId: $item, fieldId: $field, value: { singleSelectOptionId: $option } }
  ) {
    projectV2Item { id }
  }
}`;

interface ItemsAnswer {
  repository: {
    issue: {
      projectItems: {
        nodes: Array<
          {
            id: string;
            project: {
              id: string;
              title: string;
              field: { id?: string; options?: Array<{ id: string; name: string }> } | null;
            };
            fieldValueByName: { name?: string } | null;
          } | null
        >;
      };
    } | null;
  } | null;
}

/** GraphQL errors that mean "this token may not do that", not "GitHub failed". */
function isForbidden(error: unknown): boolean {
  return error instanceof GraphqlResponseError &&
    error.errors?.some((e) => ["FORBIDDEN", "INSUFFICIENT_SCOPES"].includes(String(e.type))) === true;
}

/**
 * Moves issue `number`'s items to the column `status` on every project it is on. Column names are
 * compared case-insensitively, as people type them. An item already there is left alone.
 * @throws GitHubError when GitHub fails (not for a missing board, column or permission).
 */
export async function moveOnBoard(
  api: OctokitCalls,
  repo: RepoRef,
  number: number,
  status: string,
): Promise<BoardMove> {
  const what = `read the project items of #${number} in ${name(repo)}`;
  let answer: ItemsAnswer;
  try {
    answer = await api.octokit.graphql<ItemsAnswer>(PROJECT_ITEMS_QUERY, {
      owner: repo.owner,
      name: repo.name,
      number,
    });
  } catch (error) {
    if (isForbidden(error)) return { kind: "forbidden", status, projects: [] };
    throw api.fail(what, error);
  }
  const items = (answer.repository?.issue?.projectItems.nodes ?? []).flatMap((n) => n ? [n] : []);
  if (items.length === 0) return { kind: "no_project", status };
  const moved: string[] = [];
  const missing: string[] = [];
  const forbidden: string[] = [];
  for (const item of items) {
    const project = item.project.title;
    const option = item.project.field?.options?.find((o) => o.name.toLowerCase() === status.toLowerCase());
    if (!item.project.field?.id || !option) {
      missing.push(project);
      continue;
    }
    if (item.fieldValueByName?.name === option.name) {
      moved.push(project);
      continue;
    }
    try {
      await api.octokit.graphql(SET_STATUS_MUTATION, {
        project: item.project.id,
        item: item.id,
        field: item.project.field.id,
        option: option.id,
      });
      moved.push(project);
    } catch (error) {
      if (!isForbidden(error)) {
        throw api.fail(`move #${number} of ${name(repo)} to "${status}" on project "${project}"`, error);
      }
      forbidden.push(project);
    }
  }
  if (moved.length > 0) return { kind: "moved", status, projects: moved };
  if (forbidden.length > 0) return { kind: "forbidden", status, projects: forbidden };
  return { kind: "no_column", status, projects: missing };
}
