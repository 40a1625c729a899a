"""Unit tests for environment-based settings."""

from app.config import load_settings


def test_settings_come_from_the_environment() -> None:
    settings = load_settings({"TASK_SERVICE_AUTH_SECRET": "abc", "TASK_SERVICE_APP_NAME": "tasks"})
    assert (settings.app_name, settings.auth_secret) == ("tasks", "abc")
    assert "abc" not in repr(settings)


def test_without_a_secret_each_process_gets_a_random_one() -> None:
    assert load_settings({}).auth_secret != load_settings({}).auth_secret
