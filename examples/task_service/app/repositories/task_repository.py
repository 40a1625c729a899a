"""Task storage: the protocol services depend on, and an in-memory implementation."""

import threading
from datetime import date
from typing import Dict, List, Optional, Protocol

from app.models.task import Task


class TaskRepository(Protocol):
    """Storage for tasks. Implementations must be safe to call from several threads."""

    def add(self, owner_id: str, title: str, due_date: Optional[date] = None) -> Task:
        """Stores a new open task and returns it with its assigned id."""
        ...

    def get(self, task_id: int) -> Optional[Task]:
        """Returns the task with this id, or None."""
        ...

    def list_by_owner(self, owner_id: str) -> List[Task]:
        """Returns the owner's tasks, oldest first."""
        ...

    def save(self, task: Task) -> Task:
        """Replaces a stored task. Raises KeyError when its id is unknown."""
        ...


class InMemoryTaskRepository:
    """A ``TaskRepository`` kept in a dict; for tests and local runs."""

    def __init__(self) -> None:
        self._tasks: Dict[int, Task] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, owner_id: str, title: str, due_date: Optional[date] = None) -> Task:
        with self._lock:
            task = Task(id=self._next_id, owner_id=owner_id, title=title, due_date=due_date)
            self._tasks[task.id] = task
            self._next_id += 1
            return task

    def get(self, task_id: int) -> Optional[Task]:
        with self._lock:
            return self._tasks.get(task_id)

    def list_by_owner(self, owner_id: str) -> List[Task]:
        with self._lock:
            return [task for task in self._tasks.values() if task.owner_id == owner_id]

    def save(self, task: Task) -> Task:
        with self._lock:
            if task.id not in self._tasks:
                raise KeyError(task.id)
            self._tasks[task.id] = task
            return task
