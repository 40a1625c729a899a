"""Shared fixtures: a service on an in-memory repository, and an app client with signed tokens."""

from typing import Callable, Dict

import pytest
from fastapi.testclient import TestClient

from app.auth import sign_token
from app.config import Settings
from app.main import create_app
from app.repositories.task_repository import InMemoryTaskRepository
from app.services.task_service import TaskService

AuthHeaders = Callable[..., Dict[str, str]]


@pytest.fixture
def settings() -> Settings:
    return Settings(auth_secret="test-secret-not-for-production")


@pytest.fixture
def repository() -> InMemoryTaskRepository:
    return InMemoryTaskRepository()


@pytest.fixture
def service(repository: InMemoryTaskRepository) -> TaskService:
    return TaskService(repository)


@pytest.fixture
def client(settings: Settings, repository: InMemoryTaskRepository) -> TestClient:
    return TestClient(create_app(settings, repository))


@pytest.fixture
def auth_headers(settings: Settings) -> AuthHeaders:
    """Returns a function building the Authorization header for a user (default ``alice``)."""

    def build(user_id: str = "alice") -> Dict[str, str]:
        return {"Authorization": f"Bearer {sign_token(user_id, settings.auth_secret)}"}

    return build
