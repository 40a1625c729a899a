/**
 * Scenario: one `[dev]` issue asking for a task-statistics endpoint on the
 * sample FastAPI repo. The scripted model explores the repo, adds a response
 * model, a service method, a thin router and tests, runs pytest and submits.
 *
 * @module
 */
import type { Scenario } from "../scenario.ts";
import { bash, create, replace, turn, view } from "./script_helpers.ts";

const ISSUE_TITLE = "[dev] Add an endpoint reporting task statistics";

const CRITERIA = [
  "`GET /v1/tasks/stats` returns `{total, done, open}` counts for the authenticated user's tasks only",
  "The endpoint requires a valid bearer token and answers 401 without one",
  "The counting lives in `TaskService`; the endpoint stays thin",
  "Tests cover the endpoint and the service",
] as const;

const ISSUE_BODY = [
  "As a team lead, I want to see how many of my tasks are done and how many are still open, " +
  "so that I can report progress in stand-ups without counting by hand.",
  "",
  "## Acceptance criteria",
  ...CRITERIA.map((criterion) => `- [ ] ${criterion}`),
  "",
  "## Notes",
  "Follow the existing layering (router → service → repository). No storage changes are needed.",
  "",
].join("\n");

const STATS_MODEL = `"""Response model of the task statistics endpoint."""

from pydantic import BaseModel, Field


class TaskStats(BaseModel):
    """How many tasks a user has, by state."""

    total: int = Field(..., ge=0, description="All of the user's tasks.")
    done: int = Field(..., ge=0, description="Tasks marked done.")
    open: int = Field(..., ge=0, description="Tasks not done yet.")
`;

const STATS_ROUTER = `"""HTTP endpoint reporting the caller's task statistics."""

from fastapi import APIRouter, Depends

from app.auth import get_current_user
from app.dependencies import get_task_service
from app.models.stats import TaskStats
from app.services.task_service import TaskService

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("/stats", response_model=TaskStats)
def get_task_stats(
    user_id: str = Depends(get_current_user),
    service: TaskService = Depends(get_task_service),
) -> TaskStats:
    """Counts the caller's tasks: total, done and open."""
    return service.count_tasks(user_id)
`;

const SERVICE_METHOD_ANCHOR = `        return self._repository.save(replace(task, done=done))
`;

const SERVICE_METHOD = `${SERVICE_METHOD_ANCHOR}
    def count_tasks(self, owner_id: str) -> TaskStats:
        """Counts the owner's tasks by state.

        Args:
            owner_id: The authenticated user.

        Returns:
            The number of the owner's tasks in total, done and still open.
        """
        tasks = self._repository.list_by_owner(owner_id)
        done = sum(1 for task in tasks if task.done)
        return TaskStats(total=len(tasks), done=done, open=len(tasks) - done)
`;

const ROUTER_TEST = `"""HTTP tests for GET /v1/tasks/stats."""

from fastapi.testclient import TestClient

from tests.conftest import AuthHeaders


def test_stats_require_a_valid_token(client: TestClient) -> None:
    assert client.get("/v1/tasks/stats").status_code == 401
    forged = {"Authorization": "Bearer alice.forged"}
    assert client.get("/v1/tasks/stats", headers=forged).status_code == 401


def test_stats_count_only_the_callers_tasks(client: TestClient, auth_headers: AuthHeaders) -> None:
    alice = auth_headers("alice")
    ids = [client.post("/v1/tasks", json={"title": title}, headers=alice).json()["id"] for title in "ABC"]
    client.patch(f"/v1/tasks/{ids[0]}", json={"done": True}, headers=alice)
    client.post("/v1/tasks", json={"title": "Not Alice's"}, headers=auth_headers("bob"))

    response = client.get("/v1/tasks/stats", headers=alice)

    assert response.status_code == 200
    assert response.json() == {"total": 3, "done": 1, "open": 2}


def test_stats_are_zero_for_a_user_without_tasks(client: TestClient, auth_headers: AuthHeaders) -> None:
    response = client.get("/v1/tasks/stats", headers=auth_headers("carol"))
    assert response.json() == {"total": 0, "done": 0, "open": 0}
`;

const SERVICE_TEST_ANCHOR = `def test_set_done_on_a_missing_task_raises(service: TaskService) -> None:
    with pytest.raises(TaskNotFoundError):
        service.set_done("alice", 999, True)
`;

const SERVICE_TESTS = `${SERVICE_TEST_ANCHOR}

def test_count_tasks_counts_the_owners_done_and_open_tasks(service: TaskService) -> None:
    first = service.create_task("alice", "A")
    service.create_task("alice", "B")
    service.create_task("bob", "C")
    service.set_done("alice", first.id, True)

    stats = service.count_tasks("alice")

    assert (stats.total, stats.done, stats.open) == (2, 1, 1)


def test_count_tasks_is_zero_for_a_user_without_tasks(service: TaskService) -> None:
    stats = service.count_tasks("nobody")
    assert (stats.total, stats.done, stats.open) == (0, 0, 0)
`;

const SUBMISSION = {
  summary: "Adds GET /v1/tasks/stats, which reports how many of the caller's tasks exist, " +
    "are done and are still open, so team leads can report progress (issue #12).",
  api_changes: "New endpoint GET /v1/tasks/stats (app/routers/stats.py, included under /v1 in " +
    "app/main.py) returning the new response model TaskStats {total, done, open} " +
    "(app/models/stats.py). New service method TaskService.count_tasks(owner_id). " +
    "No storage changes: it uses TaskRepository.list_by_owner.",
  auth_and_validation: "The route depends on get_current_user, so a missing, malformed or " +
    "forged bearer token gets 401; the owner is the user id from the verified token, never " +
    "from the request. The response model declares non-negative integer counts.",
  acceptance_criteria: [
    {
      criterion: CRITERIA[0],
      evidence: "get_task_stats in app/routers/stats.py returns TaskService.count_tasks(user_id) " +
        "as TaskStats; tests/routers/test_stats.py::test_stats_count_only_the_callers_tasks " +
        "checks {total: 3, done: 1, open: 2} while another user's task is ignored.",
    },
    {
      criterion: CRITERIA[1],
      evidence: "The route depends on get_current_user; " +
        "tests/routers/test_stats.py::test_stats_require_a_valid_token checks 401 without a " +
        "token and with a forged one.",
    },
    {
      criterion: CRITERIA[2],
      evidence: "TaskService.count_tasks in app/services/task_service.py does the counting; " +
        "the router only authenticates and delegates in one line.",
    },
    {
      criterion: CRITERIA[3],
      evidence: "tests/routers/test_stats.py (3 endpoint tests) and two count_tasks tests in " +
        "tests/services/test_task_service.py; the full suite passes.",
    },
  ],
  follow_ups: "None.",
};

/** The task-statistics scenario: repo `acme/task-service`, job = issue #12. */
export const taskStatsScenario: Scenario = {
  name: "task-stats",
  repo: { fullName: "acme/task-service", dir: "examples/task_service", defaultBranch: "main" },
  issues: [{ number: 12, title: ISSUE_TITLE, body: ISSUE_BODY }],
  jobIssue: 12,
  scripts: [{
    match: ISSUE_TITLE,
    turns: [
      view("/workspace", "I'll start with the repository layout and its guidance for agents."),
      bash("cat /workspace/AGENTS.md"),
      view(
        "/workspace/app/services/task_service.py",
        "Routers are thin and the business rules live in TaskService. Let me read the service.",
      ),
      view("/workspace/app/routers/tasks.py"),
      view("/workspace/app/main.py"),
      create("/workspace/app/models/stats.py", STATS_MODEL, "First, a response model for the counts."),
      replace(
        "/workspace/app/services/task_service.py",
        "from app.models.task import Task\n",
        "from app.models.stats import TaskStats\nfrom app.models.task import Task\n",
        "Now the counting in TaskService, on top of the repository's list_by_owner.",
      ),
      replace("/workspace/app/services/task_service.py", SERVICE_METHOD_ANCHOR, SERVICE_METHOD),
      create(
        "/workspace/app/routers/stats.py",
        STATS_ROUTER,
        "A thin router: it authenticates the caller and delegates to the service.",
      ),
      replace(
        "/workspace/app/main.py",
        "from app.routers import tasks\n",
        "from app.routers import stats, tasks\n",
      ),
      replace(
        "/workspace/app/main.py",
        "    app.include_router(tasks.router, prefix=API_PREFIX)\n",
        "    app.include_router(tasks.router, prefix=API_PREFIX)\n" +
          "    app.include_router(stats.router, prefix=API_PREFIX)\n",
      ),
      create(
        "/workspace/tests/routers/test_stats.py",
        ROUTER_TEST,
        "Endpoint tests, including the 401 cases and isolation between users.",
      ),
      replace(
        "/workspace/tests/services/test_task_service.py",
        SERVICE_TEST_ANCHOR,
        SERVICE_TESTS,
        "And unit tests for the new service method.",
      ),
      bash("cd /workspace && python3 -m pytest -q -p no:cacheprovider", "Running the whole test suite."),
      turn("submit_work", SUBMISSION, "All tests pass, including the new ones. Handing the work back."),
    ],
  }],
};
