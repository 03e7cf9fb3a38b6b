"""The campaign lifecycle (every status x archived x action), the activation refusals, the step rules after
activation, and the service's guarded writes and DNS warnings with fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.campaigns.lifecycle import (
    Action,
    ActivationRefused,
    InvalidTransition,
    activation_problems,
    allowed_actions,
    transition,
)
from shared.domain.campaigns.models import Campaign, CampaignCreate, CampaignStatus, Step, StepSpec
from shared.domain.campaigns.step_rules import StepLocked, check_sequence_change, check_step_change
from shared.observability.log import Logger
from shared.ports.campaigns import CampaignCounts
from shared.ports.dns import DnsAnswer
from shared.service_layer.campaigns import CampaignChanged, CampaignService, dns_domain_check
from tests.fakes import FixedClock, SequentialIds

S = CampaignStatus
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HELLO = {"subject": "Hello {{ first_name }}", "body": "Hi"}
EXPECTED = {
    (S.DRAFT, Action.ACTIVATE): S.ACTIVE,
    (S.ACTIVE, Action.PAUSE): S.PAUSED,
    (S.PAUSED, Action.RESUME): S.ACTIVE,
    (S.ACTIVE, Action.COMPLETE): S.COMPLETED,
    (S.PAUSED, Action.COMPLETE): S.COMPLETED,
}
REPEATS = {
    (S.ACTIVE, Action.ACTIVATE),
    (S.PAUSED, Action.PAUSE),
    (S.ACTIVE, Action.RESUME),
    (S.COMPLETED, Action.COMPLETE),
}


# Every state a campaign can be in (an active campaign is never archived) and every action.
STATES = [
    (status, archived)
    for status in CampaignStatus
    for archived in (False, True)
    if not (archived and status is S.ACTIVE)
]


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(("status", "archived"), STATES)
def test_every_transition(status: CampaignStatus, action: Action, archived: bool) -> None:
    sending = action in (Action.ACTIVATE, Action.RESUME)
    if action is Action.ARCHIVE:
        if archived:
            assert transition(status, archived, action).changed is False
        elif status is S.ACTIVE:
            with pytest.raises(InvalidTransition) as refused:
                transition(status, archived, action)
            assert refused.value.allowed == ["pause", "complete"]
            assert "pause it first" in str(refused.value)
        else:
            assert transition(status, archived, action) == transition(status, archived, action)
            assert transition(status, archived, action).archived is True
        return
    if (status, action) in REPEATS:
        outcome = transition(status, archived, action)
        assert (outcome.status, outcome.changed) == (status, False)
    elif (status, action) in EXPECTED and not (archived and sending):
        outcome = transition(status, archived, action)
        assert (outcome.status, outcome.archived, outcome.changed) == (EXPECTED[status, action], archived, True)
        assert action in allowed_actions(status, archived)
    else:
        with pytest.raises(InvalidTransition) as refused:
            transition(status, archived, action)
        assert refused.value.code == "invalid_transition"
        assert refused.value.details["allowed"] == [a.value for a in allowed_actions(status, archived)]
        assert action not in allowed_actions(status, archived)


def test_allowed_actions() -> None:
    assert allowed_actions(S.DRAFT, False) == [Action.ACTIVATE, Action.ARCHIVE]
    assert allowed_actions(S.PAUSED, True) == [Action.COMPLETE]
    assert allowed_actions(S.COMPLETED, False) == [Action.ARCHIVE]


@dataclass
class Inbox:
    id: str
    status: str = "active"
    postal_address: str | None = "Hauptstraße 1, München"
    domain: str = "hotel.example"
    transport_kind: str = "cloudflare"
    dkim_selector: str | None = "jengu"
    transport_settings: dict[str, Any] = field(default_factory=dict)


def campaign(**fields: Any) -> Campaign:
    step = Step.model_validate({"id": "s1", "position": 1, "variants": [HELLO], "created_at": T0, "updated_at": T0})
    values: dict[str, Any] = {"id": "c1", "name": "C", "steps": [step], "inbox_ids": ["i1"], "created_at": T0,
                              "updated_at": T0, **fields}  # fmt: skip
    return Campaign.model_validate(values)


def reasons(c: Campaign, inboxes: dict[str, Inbox | None], now: datetime = T0) -> list[str]:
    return [p["reason"] for p in activation_problems(c, inboxes, now=now)]


def test_activation_problems() -> None:
    assert reasons(campaign(), {"i1": Inbox("i1")}) == []
    assert reasons(campaign(steps=[]), {"i1": Inbox("i1")}) == ["no_steps"]
    assert reasons(campaign(inbox_ids=[]), {}) == ["no_inbox"]
    assert reasons(campaign(), {"i1": None}) == ["inbox_not_found"]
    assert reasons(campaign(), {"i1": Inbox("i1", status="disabled")}) == ["inbox_disabled"]
    assert reasons(campaign(), {"i1": Inbox("i1", postal_address="  ")}) == ["inbox_without_postal_address"]
    assert reasons(campaign(), {"i1": Inbox("i1", status="paused")}) == []  # paused inboxes resume on their own
    ended = campaign(settings={"schedule_end": T0.isoformat()})
    assert reasons(ended, {"i1": Inbox("i1")}, now=T0) == ["schedule_ended"]
    assert reasons(ended, {"i1": Inbox("i1")}, now=T0 - timedelta(seconds=1)) == []
    refused = ActivationRefused(activation_problems(campaign(steps=[], inbox_ids=[]), {}, now=T0))
    assert (refused.reason, [p["reason"] for p in refused.problems]) == ("no_steps", ["no_steps", "no_inbox"])


def stored_step(position: int, kind: str = "template", keys: str = "AB", delay: int = 1) -> Step:
    variants = [{"key": k, **HELLO} if kind == "template" else {"key": k, "strategy": "cold_direct"} for k in keys]
    return Step.model_validate(
        {"id": f"s{position}", "position": position, "kind": kind, "delay": delay, "variants": variants,
         "created_at": T0, "updated_at": T0}
    )  # fmt: skip


def spec(step: Step, **changes: Any) -> StepSpec:
    return StepSpec.model_validate({**step.spec().model_dump(), **changes})


def test_step_rules_once_activated() -> None:
    first, second = stored_step(1), stored_step(2, "ai", "A")
    reworded = spec(first, variants=[{"key": "A", "weight": 0, "subject": "New", "body": "Words"},
                                     {"key": "B", **HELLO}, {"key": "C", **HELLO}])  # fmt: skip
    for status in (S.ACTIVE, S.PAUSED, S.COMPLETED):
        check_step_change(first, reworded, status=status)
        check_sequence_change([first, second], [reworded, spec(second), spec(first)], status=status)
        cases = [
            (spec(first, variants=[{"key": "A", **HELLO}]), "remove_variant"),
            (spec(first, kind="ai", variants=[{"key": k, "strategy": "cold_direct"} for k in "AB"]), "change_kind"),
            (spec(first, delay=2), "change_delay"),
            (spec(first, delay_unit="business_days"), "change_delay"),
        ]
        for proposed, rule in cases:
            with pytest.raises(StepLocked) as locked:
                check_step_change(first, proposed, status=status)
            assert (locked.value.rule, locked.value.details) == (rule, {"step": 1, "rule": rule})
        with pytest.raises(StepLocked) as deleted:
            check_sequence_change([first, second], [spec(first)], status=status)
        assert (deleted.value.position, deleted.value.rule) == (2, "delete_step")
        with pytest.raises(StepLocked) as moved:
            check_sequence_change([first, second], [spec(first), spec(first)], status=status, ids=[None, "s1"])
        assert (moved.value.position, moved.value.rule) == (1, "reorder_steps")


def test_in_draft_anything_goes() -> None:
    first, second = stored_step(1), stored_step(2, "ai", "A")
    check_sequence_change([first, second], [], status=S.DRAFT)
    check_sequence_change([first, second], [spec(second), spec(first)], status=S.DRAFT, ids=["s2", "s1"])
    check_step_change(first, spec(first, kind="ai", variants=[{"strategy": "cold_direct"}], delay=9), status=S.DRAFT)


# -- the service with fakes -----------------------------------------------------------------------------------------
class FakeStore:
    def __init__(self) -> None:
        self.rows: dict[str, Campaign] = {}
        self.lose_next_save = False

    async def get(self, campaign_id: str) -> Campaign | None:
        return self.rows.get(campaign_id)

    async def get_many(self, ids: Sequence[str]) -> dict[str, Campaign]:
        return {i: self.rows[i] for i in ids if i in self.rows}

    async def version_of(self, campaign_id: str) -> int | None:
        row = self.rows.get(campaign_id)
        return row.version if row else None

    async def page(self, **_: Any) -> list[Campaign]:
        return list(self.rows.values())

    async def insert(self, c: Campaign) -> None:
        self.rows[c.id] = c

    async def save(self, c: Campaign, expected_version: int, *, steps: bool) -> bool:
        if self.lose_next_save:  # another writer got there first
            self.lose_next_save = False
            self.rows[c.id] = self.rows[c.id].model_copy(update={"version": expected_version + 1})
            return False
        if self.rows[c.id].version != expected_version:
            return False
        self.rows[c.id] = c
        return True

    async def counts(self, campaign_id: str) -> CampaignCounts:
        return CampaignCounts(emails=[], enrollments={})


class FakeInboxes:
    def __init__(self, *inboxes: Inbox) -> None:
        self.inboxes = {i.id: i for i in inboxes}

    async def get_many(self, ids: Sequence[str]) -> list[Inbox]:
        return [self.inboxes[i] for i in ids if i in self.inboxes]


def service(store: FakeStore, inboxes: FakeInboxes, **fields: Any) -> CampaignService:
    return CampaignService(store=store, inboxes=inboxes, clock=FixedClock(T0), ids=SequentialIds("c"),
                           log=Logger("test", sink=lambda line: None), **fields)  # fmt: skip


async def test_a_lost_race_is_a_conflict_and_writes_nothing() -> None:
    store = FakeStore()
    svc = service(store, FakeInboxes(Inbox("i1")))
    created = await svc.create(CampaignCreate.model_validate({"name": "C", "inbox_ids": ["i1"],
                                                              "steps": [{"variants": [HELLO]}]}))  # fmt: skip
    store.lose_next_save = True
    with pytest.raises(CampaignChanged) as changed:
        await svc.act(created.id, Action.ACTIVATE, expected_version=None)
    assert changed.value.current_version == 2
    assert store.rows[created.id].status is S.DRAFT
    with pytest.raises(CampaignChanged):
        await svc.act(created.id, Action.ACTIVATE, expected_version=1)


async def test_dns_warnings_are_gathered_per_inbox_and_errors_are_warnings() -> None:
    checked: list[str] = []

    async def domain_check(inbox: Any) -> list[dict[str, Any]]:
        checked.append(inbox.id)
        return [{"code": "dns_check_failed", "inbox_id": inbox.id}] if inbox.id == "i2" else []

    store = FakeStore()
    svc = service(store, FakeInboxes(Inbox("i1"), Inbox("i2")), domain_check=domain_check)
    created = await svc.create(CampaignCreate.model_validate({"name": "C", "inbox_ids": ["i1", "i2"],
                                                              "steps": [{"variants": [HELLO]}]}))  # fmt: skip
    activated, warnings = await svc.act(created.id, Action.ACTIVATE, expected_version=1)
    assert (activated.status, activated.activated_at, warnings) == (S.ACTIVE, T0, [{"code": "dns_check_failed",
                                                                                    "inbox_id": "i2"}])  # fmt: skip
    assert sorted(checked) == ["i1", "i2"]

    class Exploding:
        async def lookup(self, name: str, rtype: str) -> DnsAnswer:
            raise OSError("no route to resolver")

    [warning] = await dns_domain_check(lambda: Exploding())(Inbox("i3"))
    assert (warning["code"], warning["inbox_id"]) in {("dns_check_warning", "i3"), ("dns_check_error", "i3")}
    [bad_domain] = await dns_domain_check(lambda: Exploding())(Inbox("i4", domain="not a domain"))
    assert bad_domain["code"] == "dns_check_error"
