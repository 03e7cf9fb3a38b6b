"""Inbox models: shapes per transport, secret names (never values), the rules on the whole inbox, PATCH merging,
status moves, the API view's secret flags, and what is pushed to WarmupManager / InboxHealth."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.domain.errors import Conflict, ValidationFailed
from shared.domain.inboxes.models import (
    CLEARABLE,
    SECRET_NAME_PATTERN,
    InboxCreate,
    InboxRecord,
    InboxStatus,
    InboxUpdate,
    inbox_view,
    new_inbox,
    updated_inbox,
    with_status,
)
from shared.messages.inbox_health import HealthConfig
from shared.service_layer.inboxes import health_config, secret_is_set, warmup_plan

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SMTP = {"kind": "smtp", "settings": {"host": "SMTP.Example.NET", "port": 587}}


def make(**fields: Any) -> InboxRecord:
    return new_inbox(InboxCreate.model_validate({"email": "anna@hotel.example", **fields}), inbox_id="i1", now=T0)


def refused(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        InboxCreate.model_validate({"email": "anna@hotel.example", **fields})
    return str(caught.value)


def test_defaults_and_normalisation() -> None:
    record = make(
        email="  Anna.Berg@Hotel-Sonnenhof.EXAMPLE ", display_name=" Anna\u200b  Berg ", signature="a\r\n\r\n\r\nb"
    )
    assert (record.email, record.domain) == ("anna.berg@hotel-sonnenhof.example", "hotel-sonnenhof.example")
    assert (record.display_name, record.signature) == ("Anna Berg", "a\n\nb")
    assert (record.transport_kind, record.timezone, record.status) == ("cloudflare", "UTC", InboxStatus.ACTIVE)
    assert (record.daily_cap, record.hourly_cap) == (20, 5)
    assert (record.send_window.start, record.send_window.end) == (time(8), time(18))
    assert (record.warmup.enabled, record.warmup.ramp, record.warmup.target) == (True, [5, 10, 15, 18], 20)
    assert record.secret_names == {} and record.transport_settings == {"format": "mime"}


def test_smtp_settings_security_follows_the_port_and_25_is_refused() -> None:
    assert make(transport=SMTP).transport_settings == {"host": "smtp.example.net", "port": 587, "security": "starttls"}
    implicit = {"kind": "smtp", "settings": {"host": "smtp.example.net", "port": 465}}
    assert make(transport=implicit).transport_settings["security"] == "tls"
    assert "port 25 is blocked" in refused(transport={"kind": "smtp", "settings": {"host": "h.example", "port": 25}})


@pytest.mark.parametrize(
    "transport",
    [
        {"kind": "cloudflare", "settings": {"host": "x"}},
        {"kind": "resend", "settings": {"api_key": "re_x"}},
        {"kind": "local", "settings": {"anything": 1}},
        {"kind": "smtp", "settings": {"host": "h.example", "port": 587, "password": "x"}},
        {"kind": "graph", "settings": {"tenant_id": "t", "client_id": "c", "user": "u", "secret": "x"}},
        {"kind": "graph", "settings": {"tenant_id": "t", "client_id": "c"}},
        {"kind": "smtp"},
        {"kind": "carrier-pigeon"},
    ],
)
def test_unknown_or_missing_transport_settings_are_refused(transport: dict[str, Any]) -> None:
    refused(transport=transport)


NAME = re.compile(SECRET_NAME_PATTERN)


@given(st.from_regex(r"\A[A-Z][A-Z0-9_]{2,63}\Z"))
def test_every_secret_name_is_accepted(name: str) -> None:
    if name == "API_KEY":
        return
    assert make(transport=SMTP, secret_names={"password": name}).secret_names == {"password": name}


def name_errors(value: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        InboxCreate.model_validate({"email": "a@hotel.example", "transport": SMTP, "secret_names": {"password": value}})
    return [e["msg"] for e in caught.value.errors()]  # what the API answers (api/errors.py drops the input)


FIXED = name_errors("hunter2")


@given(st.one_of(st.text(max_size=80).filter(lambda s: not NAME.fullmatch(s.strip())), st.integers()))
def test_anything_else_is_refused_with_one_fixed_message(value: object) -> None:
    assert name_errors(value) == FIXED  # the same words whatever was sent: the value is never echoed
    assert "values never go here" in FIXED[0]


def test_the_api_key_is_never_a_transport_credential() -> None:
    assert "API's own key" in refused(transport=SMTP, secret_names={"password": "API_KEY"})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "anna@@hotel.example"}, "email 'anna@@hotel.example' is not a valid address"),
        ({"email": "\x00"}, "email '' is not a valid address"),
        ({"reply_to": "nobody"}, "reply_to 'nobody' is not a valid address"),
        ({"timezone": "Europe/Atlantis"}, "timezone 'Europe/Atlantis' is not an IANA time zone"),
        ({"timezone": "\x01"}, "timezone '' is not an IANA time zone"),
        ({"daily_cap": 10, "hourly_cap": 11}, "hourly_cap (11) cannot be above daily_cap (10)"),
        ({"send_window": {"start": "09:00", "end": "09:00"}}, "send_window end (09:00) must be after its start"),
        ({"secret_names": {"password": "SMTP_PW"}}, "secret_names: a cloudflare transport takes no secrets"),
        ({"transport": SMTP, "secret_names": {"api_key": "KEY_1"}}, "secret_names: a smtp transport takes password"),
    ],
)
def test_rules_on_the_whole_inbox(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailed, match=re.escape(message)):
        make(**fields)


def test_patch_merges_warmup_and_window_and_checks_against_stored_values() -> None:
    stored = make(daily_cap=30, warmup={"ramp": [2, 4], "start_date": "2026-02-02"})
    patch = InboxUpdate.model_validate({"warmup": {"target": 50}, "send_window": {"end": "16:00"}, "reply_to": None})
    record = updated_inbox(stored, patch, now=T0.replace(hour=10))
    assert (record.warmup.ramp, record.warmup.target, record.warmup.start_date) == ([2, 4], 50, date(2026, 2, 2))
    assert (record.send_window.start, record.send_window.end, record.updated_at.hour) == (time(8), time(16), 10)
    with pytest.raises(ValidationFailed, match="hourly_cap"):
        updated_inbox(stored, InboxUpdate(hourly_cap=31), now=T0)
    assert updated_inbox(stored, InboxUpdate(), now=T0) is stored


def test_patch_refuses_null_except_for_the_optional_texts() -> None:
    with pytest.raises(ValidationError, match="daily_cap cannot be null"):
        InboxUpdate.model_validate({"daily_cap": None})
    cleared = InboxUpdate.model_validate(dict.fromkeys(CLEARABLE))
    record = updated_inbox(make(display_name="A", signature="S", dkim_selector="S1"), cleared, now=T0)
    assert (record.display_name, record.signature, record.dkim_selector) == (None, None, None)
    schema = InboxUpdate.model_json_schema()["properties"]
    nullable = {name for name, prop in schema.items() if {"type": "null"} in prop.get("anyOf", [])}
    assert nullable == set(CLEARABLE)


def test_switching_transport_keeps_only_the_names_the_new_one_takes() -> None:
    stored = make(transport=SMTP, secret_names={"password": "SMTP_INBOX_1_PASSWORD"})
    to_resend = updated_inbox(stored, InboxUpdate.model_validate({"transport": {"kind": "resend"}}), now=T0)
    assert (to_resend.transport_kind, to_resend.secret_names, to_resend.transport_settings) == ("resend", {}, {})
    named = InboxUpdate.model_validate({"transport": {"kind": "resend"}, "secret_names": {"api_key": "RESEND_KEY"}})
    assert updated_inbox(stored, named, now=T0).secret_names == {"api_key": "RESEND_KEY"}


def test_status_moves() -> None:
    active = make()
    paused = with_status(active, InboxStatus.PAUSED, "holiday", now=T0)
    assert (paused.status, paused.status_reason) == (InboxStatus.PAUSED, "holiday")
    assert with_status(paused, InboxStatus.PAUSED, "other", now=T0) is paused
    disabled = with_status(paused, InboxStatus.DISABLED, None, now=T0)
    with pytest.raises(Conflict):
        with_status(disabled, InboxStatus.PAUSED, None, now=T0)
    assert with_status(disabled, InboxStatus.ACTIVE, None, now=T0).status is InboxStatus.ACTIVE


def test_the_view_says_whether_a_secret_is_set_never_what_it_is() -> None:
    class Env:
        SMTP_INBOX_1_PASSWORD = "s3cret"
        BLANK = "  "
        DB = object()  # a binding, not a secret

    check = secret_is_set(Env())
    assert (check("SMTP_INBOX_1_PASSWORD"), check("BLANK"), check("DB"), check("MISSING")) == (
        True,
        False,
        False,
        False,
    )
    view = inbox_view(make(transport=SMTP, secret_names={"password": "SMTP_INBOX_1_PASSWORD"}), check)
    assert view.secrets["password"].model_dump() == {"name": "SMTP_INBOX_1_PASSWORD", "set": True}
    assert "s3cret" not in view.model_dump_json()
    graph = {"kind": "graph", "settings": {"tenant_id": "t", "client_id": "c", "user": "u@x.example"}}
    assert inbox_view(make(transport=graph), check).secrets["client_secret"].model_dump() == {
        "name": None,
        "set": False,
    }
    assert view.configured is False


def test_what_the_objects_are_told() -> None:
    record = make(
        timezone="Asia/Tokyo", daily_cap=40, hourly_cap=6, warmup={"ramp": [3], "target": 9, "enabled": False}
    )
    plan = warmup_plan(record)
    assert (plan.timezone, plan.ramp, plan.target, plan.warmup, plan.daily_cap, plan.hourly_cap) == (
        "Asia/Tokyo", (3,), 9, False, 40, 6,
    )  # fmt: skip
    paused = warmup_plan(with_status(record, InboxStatus.PAUSED, None, now=T0))
    assert (paused.daily_cap, paused.hourly_cap) == (0, 0)
    assert health_config(record).model_dump() == HealthConfig().model_dump()
