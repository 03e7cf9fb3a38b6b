"""The API app with fake services: auth, uniform errors, malformed JSON, failed-task listing and replay."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.deps import get_services
from shared.bootstrap import Services
from shared.config import Settings
from shared.domain.pagination import encode_cursor
from shared.messages.queues import QueueName
from tests.factories import failed_task
from tests.fakes import FakeFailedTasks, fake_services

KEY = "jengu_unit_test_key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def services() -> Services:
    return fake_services(settings=Settings(app_env="test", api_key=KEY))


@pytest.fixture
def app(services: Services) -> FastAPI:
    application = create_app()
    application.dependency_overrides[get_services] = lambda: services

    @application.post("/__test/echo")
    async def echo(body: dict[str, int]) -> dict[str, int]:
        return body

    @application.get("/__test/boom")
    async def boom() -> None:
        raise ZeroDivisionError("secret-internal-detail")

    return application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_malformed_json_is_a_400_with_the_uniform_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/__test/echo", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_json"
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["request_id"] == response.headers["x-request-id"]


async def test_schema_violation_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/__test/echo", json={"a": "not a number"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "a"


async def test_unexpected_errors_are_a_json_500(client: httpx.AsyncClient) -> None:
    response = await client.get("/__test/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret-internal-detail" not in response.text  # no internals leak


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer wrong-key"}],
)
async def test_api_requires_the_bearer_key(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get("/api/failed-tasks", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"


async def test_no_configured_key_means_no_access(services: Services, app: FastAPI) -> None:
    keyless = fake_services(settings=Settings(app_env="test"))
    app.dependency_overrides[get_services] = lambda: keyless
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        assert (await c.get("/api/failed-tasks", headers=AUTH)).status_code == 401


async def test_list_pages_newest_first_with_an_opaque_cursor(client: httpx.AsyncClient, services: Services) -> None:
    store: FakeFailedTasks = services.failed_tasks  # type: ignore[assignment]
    for n in range(5):
        await store.add(failed_task(n))
    first = (await client.get("/api/failed-tasks", params={"limit": 2}, headers=AUTH)).json()
    assert [t["id"] for t in first["items"]] == ["msg-004", "msg-003"]
    second = (
        await client.get("/api/failed-tasks", params={"limit": 2, "cursor": first["next_cursor"]}, headers=AUTH)
    ).json()
    assert [t["id"] for t in second["items"]] == ["msg-002", "msg-001"]
    last = (
        await client.get("/api/failed-tasks", params={"limit": 2, "cursor": second["next_cursor"]}, headers=AUTH)
    ).json()
    assert [t["id"] for t in last["items"]] == ["msg-000"]
    assert last["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"limit": -1}, {"status": "bogus"}, {"cursor": "forged"},
     {"cursor": encode_cursor(["only-one"])}, {"cursor": "x" * 600}],
)  # fmt: skip
async def test_bad_list_parameters_are_422(client: httpx.AsyncClient, params: dict[str, object]) -> None:
    response = await client.get("/api/failed-tasks", params=params, headers=AUTH)
    assert response.status_code == 422, response.text


async def test_replay_requeues_the_original_message_under_the_request_trace(
    client: httpx.AsyncClient, services: Services
) -> None:
    await services.failed_tasks.add(failed_task(1))
    response = await client.post("/api/failed-tasks/msg-001/replay", headers={**AUTH, "X-Request-Id": "replay-trace-1"})
    assert response.status_code == 202, response.text
    assert response.json()["trace_id"] == "replay-trace-1"
    [envelope] = services.publisher.on(QueueName.INBOUND)  # type: ignore[attr-defined]
    assert (envelope.type, envelope.payload, envelope.trace_id) == (
        "inbound.received",
        {"inbound_id": "in-1"},
        "replay-trace-1",
    )
    again = await client.post("/api/failed-tasks/msg-001/replay", headers=AUTH)
    assert again.status_code == 409
    assert len(services.publisher.on(QueueName.INBOUND)) == 1  # type: ignore[attr-defined]


async def test_replay_refusals(client: httpx.AsyncClient, services: Services) -> None:
    await services.failed_tasks.add(failed_task(2, type=None, version=None, payload=None, raw_body="garbage"))
    await services.failed_tasks.add(failed_task(3, queue="unknown"))
    assert (await client.post("/api/failed-tasks/nope/replay", headers=AUTH)).status_code == 404
    assert (await client.post("/api/failed-tasks/msg-002/replay", headers=AUTH)).status_code == 409
    assert (await client.post("/api/failed-tasks/msg-003/replay", headers=AUTH)).status_code == 409
    assert services.publisher.sent == []  # type: ignore[attr-defined]


async def test_a_replay_that_cannot_be_sent_reopens_the_task(services: Services, app: FastAPI) -> None:
    from tests.fakes import FakeQueuePublisher

    broken = fake_services(
        settings=Settings(app_env="test", api_key=KEY), publisher=FakeQueuePublisher(fail_on={QueueName.INBOUND})
    )
    await broken.failed_tasks.add(failed_task(1))
    app.dependency_overrides[get_services] = lambda: broken
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        assert (await c.post("/api/failed-tasks/msg-001/replay", headers=AUTH)).status_code >= 500
    task = await broken.failed_tasks.get("msg-001")
    assert task is not None and task.status == "open"
