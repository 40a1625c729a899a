"""Dependency providers. ``create_app`` puts the shared objects on ``app.state``."""

from fastapi import Depends, Request

from app.config import Settings
from app.repositories.task_repository import TaskRepository
from app.services.task_service import TaskService


def get_settings(request: Request) -> Settings:
    """Returns the settings the app was created with."""
    return request.app.state.settings


def get_task_repository(request: Request) -> TaskRepository:
    """Returns the app's task repository."""
    return request.app.state.task_repository


def get_task_service(repository: TaskRepository = Depends(get_task_repository)) -> TaskService:
    """Returns a task service bound to the app's repository."""
    return TaskService(repository)
