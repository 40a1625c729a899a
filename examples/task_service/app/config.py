"""Application settings, read from environment variables."""

import logging
import os
import secrets
from dataclasses import dataclass, field
from typing import Mapping, Optional

logger = logging.getLogger(__name__)

AUTH_SECRET_ENV = "TASK_SERVICE_AUTH_SECRET"
APP_NAME_ENV = "TASK_SERVICE_APP_NAME"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of the service.

    Attributes:
        app_name: Title shown in the OpenAPI document.
        auth_secret: Key that signs and verifies bearer tokens. Never logged.
    """

    app_name: str = "task-service"
    auth_secret: str = field(default="", repr=False)


def load_settings(environ: Optional[Mapping[str, str]] = None) -> Settings:
    """Builds the settings from environment variables.

    Reads ``TASK_SERVICE_APP_NAME`` and ``TASK_SERVICE_AUTH_SECRET``. Without a
    configured secret, a random one is generated, so no token is accepted
    (the service fails closed instead of trusting a well-known default).

    Args:
        environ: The variables to read. Defaults to ``os.environ``.

    Returns:
        The settings for this process.
    """
    env = os.environ if environ is None else environ
    secret = env.get(AUTH_SECRET_ENV, "")
    if not secret:
        logger.warning("%s is not set: using a random secret, no token will validate", AUTH_SECRET_ENV)
        secret = secrets.token_urlsafe(32)
    return Settings(app_name=env.get(APP_NAME_ENV, "task-service"), auth_secret=secret)
