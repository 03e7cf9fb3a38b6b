"""API keys: format, hashing and lookup (with fakes), every authentication path, scopes and the /api/keys routes."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.deps import get_services
from shared.bootstrap import Services
from shared.config import Settings
from shared.domain.api_keys import (
    BOOTSTRAP_PRINCIPAL,
    ApiKey,
    display_prefix,
    due_for_touch,
    format_key,
    hash_key,
    looks_like_key,
)
from shared.domain.errors import NotFound, ValidationFailed
from shared.service_layer.api_keys import authenticate, create_api_key, revoke_api_key
from tests.fakes import FakeApiKeys, FixedClock, fake_services

BOOTSTRAP = "jengu_unit_bootstrap_key"
KEY_SHAPE = re.compile(r"^jengu_[A-Za-z0-9_-]{43}$")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def services(lines: list[str]) -> Services:
    return fake_services(lines, settings=Settings(app_env="test", api_key=BOOTSTRAP))


@pytest.fixture
def store(services: Services) -> FakeApiKeys:
    assert isinstance(services.api_keys, FakeApiKeys)
    return services.api_keys


@pytest.fixture
def clock(services: Services) -> FixedClock:
    assert isinstance(services.clock, FixedClock)
    return services.clock


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app()
    app.dependency_overrides[get_services] = lambda: services
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def new_key(services: Services, name: str = "crm sync", scopes: tuple[str, ...] = ()) -> tuple[ApiKey, str]:
    return await create_api_key(
        name, scopes, api_keys=services.api_keys, clock=services.clock, ids=services.ids, log=services.log
    )


async def who(services: Services, presented: str) -> object:
    return await authenticate(
        presented,
        bootstrap_key=services.settings.api_key,
        api_keys=services.api_keys,
        clock=services.clock,
        log=services.log,
    )


# -- format and hashing ------------------------------------------------------------------------------------------


def test_key_format_hash_and_prefix() -> None:
    key = format_key(bytes(range(32)))
    assert KEY_SHAPE.match(key)
    assert re.fullmatch(r"[0-9a-f]{64}", hash_key(key))
    assert hash_key(key) != hash_key(key + "x")
    assert display_prefix(key) == key[:12] and display_prefix(key).startswith("jengu_")
    with pytest.raises(ValueError):
        format_key(b"short")


@pytest.mark.parametrize(
    "presented, ok",
    [(format_key(b"\x01" * 32), True), ("jengu_short", False), ("other_" + "a" * 43, False),
     ("jengu_" + "a" * 300, False), ("jengu_" + "a" * 40 + "!!!", False), ("jengu_" + "é" * 43, False)],
)  # fmt: skip
def test_shape_check_before_lookup(presented: str, ok: bool) -> None:
    assert looks_like_key(presented) is ok


def test_touch_is_due_once_a_minute() -> None:
    clock = FixedClock()
    assert due_for_touch(None, clock.now())
    last = clock.now()
    clock.advance(59)
    assert not due_for_touch(last, clock.now())
    clock.advance(1)
    assert due_for_touch(last, clock.now())


# -- the service layer -------------------------------------------------------------------------------------------


async def test_create_returns_the_plaintext_once_and_stores_only_its_hash(
    services: Services, store: FakeApiKeys, lines: list[str]
) -> None:
    key, plaintext = await new_key(services, "  crm sync  ", ("admin",))
    assert KEY_SHAPE.match(plaintext)
    assert (key.name, key.prefix, key.scopes, key.revoked) == ("crm sync", plaintext[:12], ("admin",), False)
    assert store.hashes == {hash_key(plaintext): key.id}
    assert plaintext not in repr(store.keys) and plaintext not in "".join(lines)
    _, other = await new_key(services)
    assert other != plaintext


@pytest.mark.parametrize("name, scopes", [("", ()), ("x" * 101, ()), ("ok", ("root",))])
async def test_create_validates(services: Services, name: str, scopes: tuple[str, ...]) -> None:
    with pytest.raises(ValidationFailed):
        await new_key(services, name, scopes)


async def test_authenticate_paths(services: Services, store: FakeApiKeys) -> None:
    key, plaintext = await new_key(services)
    assert await who(services, BOOTSTRAP) == BOOTSTRAP_PRINCIPAL
    principal = await who(services, plaintext)
    assert principal is not None and principal.key_id == key.id and principal.scopes == ()  # type: ignore[attr-defined]
    assert await who(services, plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert await who(services, BOOTSTRAP + "x") is None
    await revoke_api_key(key.id, api_keys=store, clock=services.clock, log=services.log)
    assert await who(services, plaintext) is None


async def test_no_bootstrap_key_configured_accepts_only_stored_keys(services: Services) -> None:
    keyless = fake_services(settings=Settings(app_env="test"), api_keys=services.api_keys)
    _, plaintext = await new_key(services)
    assert await who(keyless, "") is None
    assert await who(keyless, plaintext) is not None


async def test_last_used_at_is_written_at_most_once_a_minute(
    services: Services, store: FakeApiKeys, clock: FixedClock
) -> None:
    key, plaintext = await new_key(services)
    first_use = clock.now()
    for _ in range(5):
        await who(services, plaintext)
    clock.advance(30)
    await who(services, plaintext)
    assert store.touches == [(key.id, first_use)]
    clock.advance(31)
    await who(services, plaintext)
    assert len(store.touches) == 2 and store.keys[key.id].last_used_at == clock.now()


async def test_a_failing_touch_never_fails_authentication(
    services: Services, store: FakeApiKeys, lines: list[str]
) -> None:
    _, plaintext = await new_key(services)
    store.touch_fails = True
    assert await who(services, plaintext) is not None
    assert any("last_used_at not recorded" in line for line in lines)


async def test_revoke_is_idempotent_and_unknown_ids_are_not_found(services: Services, store: FakeApiKeys) -> None:
    key, _ = await new_key(services)
    first = await revoke_api_key(key.id, api_keys=store, clock=services.clock, log=services.log)
    again = await revoke_api_key(key.id, api_keys=store, clock=services.clock, log=services.log)
    assert first.revoked_at is not None and again.revoked_at == first.revoked_at
    with pytest.raises(NotFound):
        await revoke_api_key("nope", api_keys=store, clock=services.clock, log=services.log)


# -- over HTTP ---------------------------------------------------------------------------------------------------


async def test_bootstrap_and_stored_keys_are_accepted(client: httpx.AsyncClient, services: Services) -> None:
    _, plaintext = await new_key(services)
    assert (await client.get("/api/failed-tasks", headers=bearer(BOOTSTRAP))).status_code == 200
    assert (await client.get("/api/failed-tasks", headers=bearer(plaintext))).status_code == 200
    assert (
        await client.get("/api/failed-tasks", headers={"Authorization": f"bearer   {plaintext}  "})
    ).status_code == 200


@pytest.mark.parametrize(
    "headers, message",
    [
        ({}, "missing bearer token"),
        ({"Authorization": ""}, "missing bearer token"),
        ({"Authorization": "Bearer"}, "missing bearer token"),
        ({"Authorization": "Bearer    "}, "missing bearer token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing bearer token"),
        ({"Authorization": BOOTSTRAP}, "missing bearer token"),
        ({"Authorization": "Bearer wrong"}, "invalid API key"),
        ({"Authorization": "Bearer " + format_key(b"\x07" * 32)}, "invalid API key"),
        ({"Authorization": f"Bearer {BOOTSTRAP} extra"}, "invalid API key"),
    ],
)
async def test_refusals_are_401_with_a_challenge(
    client: httpx.AsyncClient, headers: dict[str, str], message: str
) -> None:
    response = await client.get("/api/failed-tasks", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="jengu"'
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("unauthorized", message)
    assert error["request_id"] == response.headers["x-request-id"]


async def test_a_revoked_key_is_refused(client: httpx.AsyncClient, services: Services) -> None:
    key, plaintext = await new_key(services)
    assert (await client.delete(f"/api/keys/{key.id}", headers=bearer(BOOTSTRAP))).status_code == 204
    response = await client.get("/api/failed-tasks", headers=bearer(plaintext))
    assert response.status_code == 401


async def test_admin_routes_need_the_admin_scope(client: httpx.AsyncClient, services: Services) -> None:
    _, plain = await new_key(services, "plain")
    _, admin = await new_key(services, "admin", ("admin",))
    _, star = await new_key(services, "star", ("*",))
    response = await client.get("/api/keys", headers=bearer(plain))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and error["details"] == {"required_scope": "admin"}
    assert "www-authenticate" not in response.headers
    assert (await client.post("/api/keys", json={"name": "x"}, headers=bearer(plain))).status_code == 403
    assert (await client.get("/api/keys", headers=bearer(admin))).status_code == 200
    assert (await client.get("/api/keys", headers=bearer(star))).status_code == 200
    assert (await client.get("/api/failed-tasks", headers=bearer(plain))).status_code == 200


async def test_create_list_revoke_over_http(client: httpx.AsyncClient, store: FakeApiKeys) -> None:
    created = await client.post("/api/keys", json={"name": "zapier", "scopes": ["admin"]}, headers=bearer(BOOTSTRAP))
    assert created.status_code == 201, created.text
    body = created.json()
    assert KEY_SHAPE.match(body["key"]) and body["prefix"] == body["key"][:12] and body["scopes"] == ["admin"]
    assert body["last_used_at"] is None and body["revoked_at"] is None
    listed = await client.get("/api/keys", headers=bearer(body["key"]))  # the new key works, and is an admin
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["id"] == body["id"] and "key" not in item and "key_hash" not in item
    assert body["key"] not in listed.text and hash_key(body["key"]) not in listed.text
    assert (await client.delete(f"/api/keys/{body['id']}", headers=bearer(BOOTSTRAP))).status_code == 204
    assert (await client.get("/api/keys", headers=bearer(body["key"]))).status_code == 401
    assert store.keys[body["id"]].revoked_at is not None


async def test_created_keys_default_to_no_scopes(client: httpx.AsyncClient) -> None:
    created = (await client.post("/api/keys", json={"name": "reader"}, headers=bearer(BOOTSTRAP))).json()
    assert created["scopes"] == []
    assert (await client.get("/api/keys", headers=bearer(created["key"]))).status_code == 403


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": "x", "scopes": ["root"]}, {"name": "x", "extra": 1}]
)
async def test_bad_create_bodies_are_422(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/api/keys", json=body, headers=bearer(BOOTSTRAP))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


async def test_revoking_an_unknown_key_is_404(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/keys/nope", headers=bearer(BOOTSTRAP))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert (await client.delete("/api/keys/" + "x" * 65, headers=bearer(BOOTSTRAP))).status_code == 422


async def test_unauthenticated_callers_learn_nothing_about_bodies(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/keys", content=b"name=x", headers={"content-type": "text/plain"})
    assert response.status_code == 401


async def test_openapi_declares_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["BearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "jengu_…",
        "description": spec["components"]["securitySchemes"]["BearerAuth"]["description"],
    }
    assert spec["paths"]["/api/keys"]["post"]["security"] == [{"BearerAuth": []}]
    assert spec["paths"]["/api/failed-tasks"]["get"]["security"] == [{"BearerAuth": []}]
    assert "security" not in spec["paths"]["/health"]["get"]
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


async def test_the_request_log_names_the_key(
    client: httpx.AsyncClient, services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    key, plaintext = await new_key(services)
    await client.get("/api/failed-tasks", headers=bearer(plaintext))
    await client.get("/api/failed-tasks")
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"http request"' in line]
    assert [entry["api_key_id"] for entry in logged] == [key.id, None]
    assert plaintext not in str(logged)
