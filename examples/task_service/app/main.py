"""Application factory: ``uvicorn --factory app.main:create_app``."""

from typing import Optional

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from slugkit import slugify

from app.config import Settings, load_settings
from app.repositories.task_repository import InMemoryTaskRepository, TaskRepository
from app.routers import tasks
from app.services.task_service import InvalidTaskError, TaskNotFoundError

API_PREFIX = "/v1"


def create_app(settings: Optional[Settings] = None, repository: Optional[TaskRepository] = None) -> FastAPI:
    """Builds the application.

    Args:
        settings: Configuration. Defaults to ``load_settings()`` (environment variables).
        repository: Task storage. Defaults to a fresh ``InMemoryTaskRepository``.

    Returns:
        The FastAPI app, with every router under ``/v1``.
    """
    settings = settings or load_settings()
    app = FastAPI(title=settings.app_name, generate_unique_id_function=operation_id)
    app.state.settings = settings
    app.state.task_repository = repository if repository is not None else InMemoryTaskRepository()
    app.add_exception_handler(TaskNotFoundError, _not_found)
    app.add_exception_handler(InvalidTaskError, _invalid)
    app.include_router(tasks.router, prefix=API_PREFIX)
    return app


def operation_id(route: APIRoute) -> str:
    """Names a route's OpenAPI operation after its function, as a slug.

    Args:
        route: The route, e.g. the one of ``list_tasks``.

    Returns:
        The operation id, e.g. ``list-tasks``: stable names for generated API clients.
    """
    return slugify(route.name)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_404_NOT_FOUND, content={"detail": str(exc)})


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": str(exc)})
