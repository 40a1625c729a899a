"""HTTP tests for /v1/tasks."""

from fastapi.testclient import TestClient

from tests.conftest import AuthHeaders


def test_requests_without_a_valid_token_get_401(client: TestClient, auth_headers: AuthHeaders) -> None:
    forged = {"Authorization": "Bearer alice.0000"}
    for headers in ({}, forged, {"Authorization": "Basic YWxpY2U6eA=="}):
        response = client.get("/v1/tasks", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_create_then_list_tasks(client: TestClient, auth_headers: AuthHeaders) -> None:
    created = client.post("/v1/tasks", json={"title": "Write docs"}, headers=auth_headers())
    assert created.status_code == 201
    assert created.json() == {"id": 1, "title": "Write docs", "done": False}
    assert client.get("/v1/tasks", headers=auth_headers()).json() == [created.json()]


def test_owner_comes_from_the_token_not_the_body(client: TestClient, auth_headers: AuthHeaders) -> None:
    client.post("/v1/tasks", json={"title": "Mine", "owner_id": "bob"}, headers=auth_headers("alice"))
    assert client.get("/v1/tasks", headers=auth_headers("bob")).json() == []
    assert len(client.get("/v1/tasks", headers=auth_headers("alice")).json()) == 1


def test_create_validates_the_title(client: TestClient, auth_headers: AuthHeaders) -> None:
    for body in ({}, {"title": ""}, {"title": "   "}, {"title": "x" * 201}):
        assert client.post("/v1/tasks", json=body, headers=auth_headers()).status_code == 422


def test_patch_marks_a_task_done(client: TestClient, auth_headers: AuthHeaders) -> None:
    task_id = client.post("/v1/tasks", json={"title": "A"}, headers=auth_headers()).json()["id"]
    response = client.patch(f"/v1/tasks/{task_id}", json={"done": True}, headers=auth_headers())
    assert response.status_code == 200
    assert response.json()["done"] is True


def test_patch_on_another_users_task_is_404(client: TestClient, auth_headers: AuthHeaders) -> None:
    task_id = client.post("/v1/tasks", json={"title": "A"}, headers=auth_headers("alice")).json()["id"]
    response = client.patch(f"/v1/tasks/{task_id}", json={"done": True}, headers=auth_headers("bob"))
    assert response.status_code == 404
