"""Business rules for tasks."""

from dataclasses import replace
from typing import List

from app.models.task import Task
from app.repositories.task_repository import TaskRepository


class TaskNotFoundError(Exception):
    """The task does not exist, or belongs to another user (the API does not tell which)."""


class InvalidTaskError(ValueError):
    """The request breaks a business rule, e.g. a blank title."""


class TaskService:
    """Creates, lists and completes the tasks of one user at a time.

    Args:
        repository: Where tasks are stored.
    """

    def __init__(self, repository: TaskRepository) -> None:
        self._repository = repository

    def list_tasks(self, owner_id: str) -> List[Task]:
        """Returns the owner's tasks, oldest first.

        Args:
            owner_id: The authenticated user.
        """
        return self._repository.list_by_owner(owner_id)

    def create_task(self, owner_id: str, title: str) -> Task:
        """Creates an open task for the owner.

        Args:
            owner_id: The authenticated user.
            title: The task title; surrounding whitespace is removed.

        Returns:
            The stored task.

        Raises:
            InvalidTaskError: The title is blank.
        """
        cleaned = title.strip()
        if not cleaned:
            raise InvalidTaskError("Task title must not be blank")
        return self._repository.add(owner_id, cleaned)

    def set_done(self, owner_id: str, task_id: int, done: bool) -> Task:
        """Marks one of the owner's tasks done, or reopens it.

        Args:
            owner_id: The authenticated user.
            task_id: The task to change.
            done: The new state.

        Returns:
            The updated task.

        Raises:
            TaskNotFoundError: No such task for this owner.
        """
        task = self._repository.get(task_id)
        if task is None or task.owner_id != owner_id:
            raise TaskNotFoundError(f"Task {task_id} not found")
        return self._repository.save(replace(task, done=done))
