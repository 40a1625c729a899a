"""Unit tests for TaskService."""

import pytest

from app.services.task_service import InvalidTaskError, TaskNotFoundError, TaskService


def test_create_task_strips_the_title_and_starts_open(service: TaskService) -> None:
    task = service.create_task("alice", "  Write docs  ")
    assert (task.title, task.done, task.owner_id) == ("Write docs", False, "alice")


def test_create_task_rejects_a_blank_title(service: TaskService) -> None:
    with pytest.raises(InvalidTaskError):
        service.create_task("alice", "   ")


def test_list_tasks_returns_only_the_owners_tasks(service: TaskService) -> None:
    service.create_task("alice", "A")
    service.create_task("bob", "B")
    service.create_task("alice", "C")
    assert [task.title for task in service.list_tasks("alice")] == ["A", "C"]


def test_set_done_marks_and_reopens_a_task(service: TaskService) -> None:
    task = service.create_task("alice", "A")
    assert service.set_done("alice", task.id, True).done is True
    assert service.set_done("alice", task.id, False).done is False


def test_set_done_refuses_another_users_task(service: TaskService) -> None:
    task = service.create_task("alice", "A")
    with pytest.raises(TaskNotFoundError):
        service.set_done("bob", task.id, True)
    assert service.list_tasks("alice")[0].done is False


def test_set_done_on_a_missing_task_raises(service: TaskService) -> None:
    with pytest.raises(TaskNotFoundError):
        service.set_done("alice", 999, True)
