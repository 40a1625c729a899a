/**
 * Scenario: a parent issue ("Task due dates") with three sub-issues, two of
 * them `[dev]` work items and one `[ops]`. Submitting the parent makes the
 * service pick the two `[dev]` sub-issues and run one job each; each script
 * below makes an independent, test-passing change on the default branch.
 *
 * The base repo already keeps an optional `due_date` on the `Task` domain
 * object (the storage has it), but its API neither accepts nor returns it.
 *
 * @module
 */
import type { Scenario } from "../scenario.ts";
import { bash, issueBody, PYTEST, replace, turn, view } from "./script_helpers.ts";

// ---------------------------------------------------------------- #21

const DUE_DATE_TITLE = "[dev] Store a due date on tasks";

const DUE_DATE_CRITERIA = [
  "`POST /v1/tasks` accepts an optional `due_date` (ISO date, `YYYY-MM-DD`) and stores it with the task",
  "Task responses include `due_date` (`null` when none was given)",
  "An invalid `due_date` is rejected with 422",
  "Tests cover the service and the endpoint",
] as const;

const DUE_DATE_ROUTER_ANCHOR =
  `def test_patch_on_another_users_task_is_404(client: TestClient, auth_headers: AuthHeaders) -> None:
    task_id = client.post("/v1/tasks", json={"title": "A"}, headers=auth_headers("alice")).json()["id"]
    response = client.patch(f"/v1/tasks/{task_id}", json={"done": True}, headers=auth_headers("bob"))
    assert response.status_code == 404
`;

const DUE_DATE_ROUTER_TESTS = `${DUE_DATE_ROUTER_ANCHOR}

def test_create_stores_an_optional_due_date(client: TestClient, auth_headers: AuthHeaders) -> None:
    body = {"title": "File taxes", "due_date": "2030-04-15"}
    created = client.post("/v1/tasks", json=body, headers=auth_headers())
    assert created.status_code == 201
    assert created.json()["due_date"] == "2030-04-15"
    assert client.get("/v1/tasks", headers=auth_headers()).json()[0]["due_date"] == "2030-04-15"


def test_due_date_is_null_when_not_given(client: TestClient, auth_headers: AuthHeaders) -> None:
    created = client.post("/v1/tasks", json={"title": "Someday"}, headers=auth_headers())
    assert created.json()["due_date"] is None


def test_create_rejects_an_invalid_due_date(client: TestClient, auth_headers: AuthHeaders) -> None:
    for due_date in ("not-a-date", "2030-02-30"):
        body = {"title": "A", "due_date": due_date}
        assert client.post("/v1/tasks", json=body, headers=auth_headers()).status_code == 422
`;

const MISSING_TASK_TEST = `def test_set_done_on_a_missing_task_raises(service: TaskService) -> None:
    with pytest.raises(TaskNotFoundError):
        service.set_done("alice", 999, True)
`;

const DUE_DATE_SERVICE_TESTS = `${MISSING_TASK_TEST}

def test_create_task_stores_the_due_date(service: TaskService) -> None:
    task = service.create_task("alice", "File taxes", date(2030, 4, 15))
    assert task.due_date == date(2030, 4, 15)
    assert service.list_tasks("alice")[0].due_date == date(2030, 4, 15)


def test_create_task_without_a_due_date(service: TaskService) -> None:
    assert service.create_task("alice", "Someday").due_date is None
`;

const dueDateScript = {
  match: DUE_DATE_TITLE,
  turns: [
    view("/workspace/app/models/task.py", "Let me see how tasks are modelled today."),
    view("/workspace/app/repositories/task_repository.py"),
    view(
      "/workspace/app/services/task_service.py",
      "The domain Task and the repository already keep a due_date; the API and the service don't pass it on.",
    ),
    replace(
      "/workspace/app/models/task.py",
      "        due_date: Optional due date. The storage keeps it; the API does not set it yet.\n",
      "        due_date: Optional date the task should be finished by.\n",
      "Exposing it on the request and response models.",
    ),
    replace(
      "/workspace/app/models/task.py",
      '    title: str = Field(..., min_length=1, max_length=200, description="Short description of the work.")\n',
      '    title: str = Field(..., min_length=1, max_length=200, description="Short description of the work.")\n' +
        '    due_date: Optional[date] = Field(None, description="Optional due date, as YYYY-MM-DD.")\n',
    ),
    replace(
      "/workspace/app/models/task.py",
      "    id: int\n    title: str\n    done: bool\n",
      "    id: int\n    title: str\n    done: bool\n    due_date: Optional[date] = None\n",
    ),
    replace(
      "/workspace/app/models/task.py",
      "        return cls(id=task.id, title=task.title, done=task.done)\n",
      "        return cls(id=task.id, title=task.title, done=task.done, due_date=task.due_date)\n",
    ),
    replace(
      "/workspace/app/services/task_service.py",
      "from dataclasses import replace\nfrom typing import List\n",
      "from dataclasses import replace\nfrom datetime import date\nfrom typing import List, Optional\n",
      "Now the service passes the due date to the repository.",
    ),
    replace(
      "/workspace/app/services/task_service.py",
      `    def create_task(self, owner_id: str, title: str) -> Task:
        """Creates an open task for the owner.

        Args:
            owner_id: The authenticated user.
            title: The task title; surrounding whitespace is removed.
`,
      `    def create_task(self, owner_id: str, title: str, due_date: Optional[date] = None) -> Task:
        """Creates an open task for the owner.

        Args:
            owner_id: The authenticated user.
            title: The task title; surrounding whitespace is removed.
            due_date: Optional date the task should be finished by.
`,
    ),
    replace(
      "/workspace/app/services/task_service.py",
      "        return self._repository.add(owner_id, cleaned)\n",
      "        return self._repository.add(owner_id, cleaned, due_date)\n",
    ),
    replace(
      "/workspace/app/routers/tasks.py",
      "    return TaskResponse.from_task(service.create_task(user_id, body.title))\n",
      "    return TaskResponse.from_task(service.create_task(user_id, body.title, body.due_date))\n",
      "The router only forwards the validated field.",
    ),
    replace(
      "/workspace/tests/routers/test_tasks.py",
      DUE_DATE_ROUTER_ANCHOR,
      DUE_DATE_ROUTER_TESTS,
      "Endpoint tests: stored and returned, null by default, 422 for invalid dates.",
    ),
    replace(
      "/workspace/tests/services/test_task_service.py",
      "import pytest\n",
      "from datetime import date\n\nimport pytest\n",
    ),
    replace("/workspace/tests/services/test_task_service.py", MISSING_TASK_TEST, DUE_DATE_SERVICE_TESTS),
    bash(PYTEST, "Running the suite."),
    replace(
      "/workspace/tests/routers/test_tasks.py",
      '    assert created.json() == {"id": 1, "title": "Write docs", "done": False}\n',
      '    assert created.json() == {"id": 1, "title": "Write docs", "done": False, "due_date": None}\n',
      "One existing test compares the whole response, which now carries due_date: null as the issue asks. " +
        "Updating its expectation.",
    ),
    bash(PYTEST),
    turn("submit_work", {
      summary: "Tasks can now be given a due date when they are created, and every task response shows it " +
        "(issue #21, part of #20).",
      api_changes: "POST /v1/tasks accepts an optional due_date (TaskCreate.due_date: Optional[date]); " +
        "TaskResponse gains due_date (null when unset), so GET, POST and PATCH /v1/tasks responses include " +
        "it. TaskService.create_task(owner_id, title, due_date=None) stores it through the existing " +
        "TaskRepository.add; no storage change was needed.",
      auth_and_validation: "Routes are unchanged and still depend on get_current_user (401 without a valid " +
        "token). Pydantic parses due_date as an ISO date, so malformed or impossible dates get 422 before " +
        "the service runs.",
      acceptance_criteria: [
        {
          criterion: DUE_DATE_CRITERIA[0],
          evidence:
            "TaskCreate.due_date in app/models/task.py, passed by create_task in app/routers/tasks.py " +
            "to TaskService.create_task; tests/routers/test_tasks.py::test_create_stores_an_optional_due_date " +
            "and tests/services/test_task_service.py::test_create_task_stores_the_due_date.",
        },
        {
          criterion: DUE_DATE_CRITERIA[1],
          evidence: "TaskResponse.due_date, filled by TaskResponse.from_task; " +
            "test_create_stores_an_optional_due_date (POST and GET) and test_due_date_is_null_when_not_given.",
        },
        {
          criterion: DUE_DATE_CRITERIA[2],
          evidence: "Pydantic date validation on TaskCreate; " +
            "tests/routers/test_tasks.py::test_create_rejects_an_invalid_due_date.",
        },
        {
          criterion: DUE_DATE_CRITERIA[3],
          evidence: "Two new service tests and three new endpoint tests; the full suite passes. " +
            "test_create_then_list_tasks now expects due_date: null in the response.",
        },
      ],
      follow_ups: "Changing a due date after creation (PATCH) is not part of this issue; worth a follow-up.",
    }, "All tests pass. Handing the work back."),
  ],
};

// ---------------------------------------------------------------- #23

const OVERDUE_TITLE = "[dev] List overdue tasks";

const OVERDUE_CRITERIA = [
  "`GET /v1/tasks/overdue` returns the authenticated user's open tasks whose `due_date` is before today (UTC), " +
  "earliest due first",
  "Done tasks and tasks without a due date are never listed",
  "The endpoint requires a valid bearer token and answers 401 without one",
  "The filtering lives in `TaskService` and is covered by service and endpoint tests",
] as const;

const OVERDUE_MODEL = `

class OverdueTaskResponse(BaseModel):
    """An overdue task as the API returns it."""

    id: int
    title: str
    due_date: date

    @classmethod
    def from_task(cls, task: Task) -> "OverdueTaskResponse":
        """Builds the response model from a domain task that has a due date.

        Args:
            task: The overdue task.

        Returns:
            The public view of the task.
        """
        return cls(id=task.id, title=task.title, due_date=task.due_date)
`;

const SET_DONE_RETURN = "        return self._repository.save(replace(task, done=done))\n";

const OVERDUE_METHOD = `${SET_DONE_RETURN}
    def list_overdue(self, owner_id: str, today: Optional[date] = None) -> List[Task]:
        """Lists the owner's open tasks that are past their due date, earliest due first.

        Args:
            owner_id: The authenticated user.
            today: The reference day. Defaults to the current date in UTC.

        Returns:
            Open tasks whose due date is before today; tasks without a due date are never overdue.
        """
        today = today or datetime.now(timezone.utc).date()
        overdue = [
            task
            for task in self._repository.list_by_owner(owner_id)
            if not task.done and task.due_date is not None and task.due_date < today
        ]
        return sorted(overdue, key=lambda task: (task.due_date, task.id))
`;

const LIST_RETURN = "    return [TaskResponse.from_task(task) for task in service.list_tasks(user_id)]\n";

const OVERDUE_ROUTE = `${LIST_RETURN}

@router.get("/overdue", response_model=List[OverdueTaskResponse])
def list_overdue_tasks(
    user_id: str = Depends(get_current_user),
    service: TaskService = Depends(get_task_service),
) -> List[OverdueTaskResponse]:
    """Lists the caller's open tasks that are past their due date, earliest due first."""
    return [OverdueTaskResponse.from_task(task) for task in service.list_overdue(user_id)]
`;

const OVERDUE_ROUTER_TESTS = `${DUE_DATE_ROUTER_ANCHOR}

def test_overdue_lists_open_past_due_tasks_earliest_first(
    client: TestClient, repository: InMemoryTaskRepository, auth_headers: AuthHeaders
) -> None:
    repository.add("alice", "Invoice", date(2000, 1, 2))
    repository.add("alice", "Tax return", date(2000, 1, 1))
    repository.add("alice", "Far future", date(2999, 12, 31))
    repository.add("alice", "No due date")
    finished = repository.add("alice", "Finished", date(2000, 1, 1))
    repository.save(replace(finished, done=True))
    repository.add("bob", "Not Alice's", date(2000, 1, 1))

    response = client.get("/v1/tasks/overdue", headers=auth_headers("alice"))

    assert response.status_code == 200
    assert response.json() == [
        {"id": 2, "title": "Tax return", "due_date": "2000-01-01"},
        {"id": 1, "title": "Invoice", "due_date": "2000-01-02"},
    ]


def test_overdue_requires_a_valid_token(client: TestClient) -> None:
    assert client.get("/v1/tasks/overdue").status_code == 401
    forged = {"Authorization": "Bearer alice.forged"}
    assert client.get("/v1/tasks/overdue", headers=forged).status_code == 401
`;

const OVERDUE_SERVICE_TESTS = `${MISSING_TASK_TEST}

def test_list_overdue_returns_open_past_due_tasks_earliest_first(
    service: TaskService, repository: InMemoryTaskRepository
) -> None:
    today = date(2030, 6, 15)
    repository.add("alice", "Due yesterday", date(2030, 6, 14))
    repository.add("alice", "Due last month", date(2030, 5, 1))
    repository.add("alice", "Due today", today)
    repository.add("alice", "No due date")
    finished = repository.add("alice", "Finished", date(2030, 1, 1))
    repository.save(replace(finished, done=True))
    repository.add("bob", "Not Alice's", date(2030, 1, 1))

    overdue = service.list_overdue("alice", today)

    assert [task.title for task in overdue] == ["Due last month", "Due yesterday"]


def test_list_overdue_defaults_to_today(service: TaskService, repository: InMemoryTaskRepository) -> None:
    repository.add("alice", "Long ago", date(2000, 1, 1))
    repository.add("alice", "Far future", date(2999, 12, 31))
    assert [task.title for task in service.list_overdue("alice")] == ["Long ago"]
`;

const overdueScript = {
  match: OVERDUE_TITLE,
  turns: [
    view("/workspace", "Let me get an overview of the repository first."),
    view("/workspace/app/models/task.py"),
    view(
      "/workspace/app/routers/tasks.py",
      "Task already has an optional due_date in the domain model. Now the existing routes.",
    ),
    view("/workspace/tests/conftest.py"),
    replace(
      "/workspace/app/models/task.py",
      "        return cls(id=task.id, title=task.title, done=task.done)\n",
      "        return cls(id=task.id, title=task.title, done=task.done)\n" + OVERDUE_MODEL,
      "A response model for overdue tasks, which always have a due date.",
    ),
    replace(
      "/workspace/app/services/task_service.py",
      "from dataclasses import replace\nfrom typing import List\n",
      "from dataclasses import replace\nfrom datetime import date, datetime, timezone\nfrom typing import List, Optional\n",
      "The filtering and ordering belong in TaskService; today is injectable for tests.",
    ),
    replace("/workspace/app/services/task_service.py", SET_DONE_RETURN, OVERDUE_METHOD),
    replace(
      "/workspace/app/routers/tasks.py",
      "from app.models.task import TaskCreate, TaskResponse, TaskUpdate\n",
      "from app.models.task import OverdueTaskResponse, TaskCreate, TaskResponse, TaskUpdate\n",
      "The endpoint stays thin: authenticate, call the service, map to the response model.",
    ),
    replace("/workspace/app/routers/tasks.py", LIST_RETURN, OVERDUE_ROUTE),
    replace(
      "/workspace/tests/routers/test_tasks.py",
      "from fastapi.testclient import TestClient\n\nfrom tests.conftest import AuthHeaders\n",
      "from dataclasses import replace\nfrom datetime import date\n\nfrom fastapi.testclient import TestClient\n\n" +
        "from app.repositories.task_repository import InMemoryTaskRepository\nfrom tests.conftest import AuthHeaders\n",
      "The API cannot set due dates yet, so the tests seed the shared repository fixture directly.",
    ),
    replace("/workspace/tests/routers/test_tasks.py", DUE_DATE_ROUTER_ANCHOR, OVERDUE_ROUTER_TESTS),
    replace(
      "/workspace/tests/services/test_task_service.py",
      "import pytest\n\nfrom app.services.task_service",
      "from dataclasses import replace\nfrom datetime import date\n\nimport pytest\n\n" +
        "from app.repositories.task_repository import InMemoryTaskRepository\nfrom app.services.task_service",
    ),
    replace("/workspace/tests/services/test_task_service.py", MISSING_TASK_TEST, OVERDUE_SERVICE_TESTS),
    bash(PYTEST, "Running the suite."),
    turn("submit_work", {
      summary: "Adds GET /v1/tasks/overdue, listing the caller's open tasks that are past their due date, " +
        "earliest first (issue #23, part of #20).",
      api_changes: "New endpoint GET /v1/tasks/overdue in app/routers/tasks.py, returning " +
        "List[OverdueTaskResponse] {id, title, due_date} (new model in app/models/task.py). New service " +
        "method TaskService.list_overdue(owner_id, today=None), today defaulting to the UTC date. No storage " +
        "change: it filters TaskRepository.list_by_owner.",
      auth_and_validation:
        "The route depends on get_current_user, so it answers 401 without a valid bearer " +
        "token, and lists only the verified caller's tasks; it takes no user input besides the token.",
      acceptance_criteria: [
        {
          criterion: OVERDUE_CRITERIA[0],
          evidence:
            "list_overdue_tasks in app/routers/tasks.py calls TaskService.list_overdue, which keeps " +
            "open tasks with due_date < today (UTC) sorted by due date; " +
            "tests/routers/test_tasks.py::test_overdue_lists_open_past_due_tasks_earliest_first.",
        },
        {
          criterion: OVERDUE_CRITERIA[1],
          evidence:
            "TaskService.list_overdue skips done tasks and tasks whose due_date is None; both cases are " +
            "seeded in test_list_overdue_returns_open_past_due_tasks_earliest_first and in the endpoint test.",
        },
        {
          criterion: OVERDUE_CRITERIA[2],
          evidence: "Depends(get_current_user) on the route; " +
            "tests/routers/test_tasks.py::test_overdue_requires_a_valid_token (no token, forged token).",
        },
        {
          criterion: OVERDUE_CRITERIA[3],
          evidence: "TaskService.list_overdue in app/services/task_service.py; two service tests in " +
            "tests/services/test_task_service.py and two endpoint tests; the full suite passes.",
        },
      ],
      follow_ups: "Until #21 lands, due dates cannot be set through the API, so nothing is overdue in " +
        "practice; the endpoint works as soon as it does.",
    }, "All tests pass. Handing the work back."),
  ],
};

// ---------------------------------------------------------------- the scenario

/** The parent-issue scenario: repo `acme/task-service`, job = parent issue #20. */
export const parentIssueScenario: Scenario = {
  name: "parent-issue",
  repo: { fullName: "acme/task-service", dir: "examples/task_service", defaultBranch: "main" },
  issues: [
    {
      number: 20,
      title: "Task due dates",
      body: issueBody(
        "As a user, I want my tasks to have due dates and to see which ones are late, so that I finish " +
          "the urgent work first.",
        [
          "A task can be given a due date and shows it",
          "A user can list their overdue tasks",
          "Operations is alerted when overdue tasks pile up",
        ],
        "Split into sub-issues #21 and #23 (backend) and #22 (operations).",
      ),
      subIssues: [21, 22, 23],
    },
    {
      number: 21,
      title: DUE_DATE_TITLE,
      body: issueBody(
        "As a user, I want to give a task a due date when I create it, so that I know when it has to be done.",
        DUE_DATE_CRITERIA,
        "Parent issue: #20. The storage layer already keeps an optional due date per task.",
      ),
    },
    {
      number: 22,
      title: "[ops] Alert on overdue tasks",
      body: issueBody(
        "As an operator, I want an alert when many tasks are overdue, so that I can warn the teams.",
        [
          "A scheduled check counts overdue tasks across all users",
          "An alert fires when more than 50 tasks are overdue for a day",
        ],
        "Parent issue: #20.",
      ),
    },
    {
      number: 23,
      title: OVERDUE_TITLE,
      body: issueBody(
        "As a user, I want to list my tasks that are past their due date and not done, so that I can " +
          "catch up on them first.",
        OVERDUE_CRITERIA,
        "Parent issue: #20. Due dates are set through the API by #21; the domain Task already has due_date.",
      ),
    },
  ],
  jobIssue: 20,
  scripts: [dueDateScript, overdueScript],
};
