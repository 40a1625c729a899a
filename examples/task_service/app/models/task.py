"""The task domain object and the API's request and response models."""

from dataclasses import dataclass
from datetime import date
from typing import Optional

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class Task:
    """A task owned by one user.

    Attributes:
        id: Identifier assigned by the repository.
        owner_id: The user the task belongs to, taken from a verified token.
        title: Short description of the work.
        done: Whether the task is finished.
        due_date: Optional due date. The storage keeps it; the API does not set it yet.
    """

    id: int
    owner_id: str
    title: str
    done: bool = False
    due_date: Optional[date] = None


class TaskCreate(BaseModel):
    """Request body of ``POST /v1/tasks``. The owner comes from the token, never from here."""

    title: str = Field(..., min_length=1, max_length=200, description="Short description of the work.")


class TaskUpdate(BaseModel):
    """Request body of ``PATCH /v1/tasks/{task_id}``."""

    done: bool = Field(..., description="True to mark the task done, false to reopen it.")


class TaskResponse(BaseModel):
    """A task as the API returns it."""

    id: int
    title: str
    done: bool

    @classmethod
    def from_task(cls, task: Task) -> "TaskResponse":
        """Builds the response model from a domain task.

        Args:
            task: The task to expose.

        Returns:
            The public view of the task (without its owner).
        """
        return cls(id=task.id, title=task.title, done=task.done)
