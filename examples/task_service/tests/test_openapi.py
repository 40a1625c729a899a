"""The OpenAPI document: operation ids clients can rely on."""

import re
from typing import Set

from app.config import Settings
from app.main import create_app

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _operation_ids(settings: Settings) -> Set[str]:
    document = create_app(settings).openapi()
    return {operation["operationId"] for path in document["paths"].values() for operation in path.values()}


def test_operation_ids_are_the_route_functions_as_slugs(settings: Settings) -> None:
    ids = _operation_ids(settings)

    assert {"list-tasks", "create-task", "update-task"} <= ids
    assert all(_SLUG.fullmatch(operation_id) for operation_id in ids)
