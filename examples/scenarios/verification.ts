/**
 * Scenarios for the verification step: after `submit_work` the host runs the
 * tests; failing tests go back to the model. One engineer fixes its mistake
 * after the feedback; the other never does, so its PR opens as a draft that
 * shows the failure (or not at all, by config).
 *
 * @module
 */
import type { Scenario, ScriptedTurn } from "../scenario.ts";
import { bash, create, issueBody, PYTEST, replace, turn } from "./script_helpers.ts";

const REPO = { fullName: "acme/task-service", dir: "examples/task_service", defaultBranch: "main" } as const;
const TITLE = "[dev] Add a health endpoint";
const CRITERIA = ['`GET /v1/health` answers `{"status": "ok"}` without authentication'] as const;

const ROUTER = `"""Health endpoint for load balancers."""

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/health")
def get_health() -> dict:
    """Reports that the service is up."""
    return {"status": "ok"}
`;

const WRONG_TEST = `"""HTTP tests for GET /v1/health."""

from fastapi.testclient import TestClient


def test_health_answers_ok_without_a_token(client: TestClient) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}
`;

const SUBMISSION = {
  summary: "Adds GET /v1/health for load balancers.",
  api_changes: "New router app/routers/health.py, included under /v1 in app/main.py.",
  auth_and_validation: "Public on purpose: it reveals nothing but liveness.",
  acceptance_criteria: [{ criterion: CRITERIA[0], evidence: "tests/routers/test_health.py" }],
  follow_ups: "None.",
};

const build: ScriptedTurn[] = [
  create("/workspace/app/routers/health.py", ROUTER, "A tiny public router."),
  replace(
    "/workspace/app/main.py",
    "from app.routers import tasks\n",
    "from app.routers import health, tasks\n",
  ),
  replace(
    "/workspace/app/main.py",
    "    app.include_router(tasks.router, prefix=API_PREFIX)\n",
    "    app.include_router(tasks.router, prefix=API_PREFIX)\n    app.include_router(health.router, prefix=API_PREFIX)\n",
  ),
  create("/workspace/tests/routers/test_health.py", WRONG_TEST),
  turn("submit_work", SUBMISSION, "Done, submitting."),
];

function scenario(name: string, issue: number, afterFeedback: ScriptedTurn[]): Scenario {
  const title = `${TITLE} (${name})`;
  return {
    name,
    repo: REPO,
    issues: [{ number: issue, title, body: issueBody("As an operator, I want a health check.", CRITERIA) }],
    jobIssue: issue,
    scripts: [{ match: title, turns: [...build, ...afterFeedback] }],
  };
}

/** Submits with a wrong test, reads the failure, fixes the test, submits again. */
export const fixesAfterFeedbackScenario: Scenario = scenario("fixes after feedback", 44, [
  replace(
    "/workspace/tests/routers/test_health.py",
    '{"status": "healthy"}',
    '{"status": "ok"}',
    "The test expected the wrong body; fixing it.",
  ),
  bash(PYTEST),
  turn("submit_work", SUBMISSION, "Tests pass now."),
]);

/** Submits the same failing work three times. */
export const neverFixesScenario: Scenario = scenario("never fixes", 45, [
  turn("submit_work", SUBMISSION, "Submitting again."),
  turn("submit_work", SUBMISSION, "And again."),
]);
