"""The tick's planner: follow-ups keep their inbox and go first, pools spread by remaining allotment, caps hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.campaigns.planner import DueItem, plan


def item(n: int, *, campaign: str = "c1", inbox: str | None = None, due: str = "2026-12-01T09:00") -> DueItem:
    return DueItem(f"e{n:04d}", campaign, 2 if inbox else 1, inbox, due)


def test_follow_ups_keep_their_inbox_and_go_first() -> None:
    due = [item(1, due="2026-12-01T08:00"), item(2, inbox="i2", due="2026-12-01T09:00")]
    out = plan(due, allotments={"i1": 1, "i2": 1}, pools={"c1": ["i1", "i2"]}, campaign_room={"c1": None}, limit=1)
    assert [(a.enrollment_id, a.inbox_id) for a in out] == [("e0002", "i2")]


def test_a_follow_up_waits_when_its_inbox_has_no_allotment() -> None:
    out = plan([item(1, inbox="i2")], allotments={"i1": 5, "i2": 0}, pools={"c1": ["i1", "i2"]},
               campaign_room={"c1": None}, limit=10)  # fmt: skip
    assert out == []


def test_first_steps_spread_over_the_pool_by_remaining_allotment() -> None:
    due = [item(n) for n in range(6)]
    out = plan(due, allotments={"i1": 4, "i2": 2}, pools={"c1": ["i1", "i2"]}, campaign_room={"c1": None}, limit=10)
    used = {i: sum(a.inbox_id == i for a in out) for i in ("i1", "i2")}
    assert used == {"i1": 4, "i2": 2}


def test_the_campaign_cap_and_the_tick_limit_hold() -> None:
    due = [item(n) for n in range(10)] + [item(n + 100, campaign="c2") for n in range(10)]
    out = plan(due, allotments={"i1": 100}, pools={"c1": ["i1"], "c2": ["i1"]}, campaign_room={"c1": 3, "c2": None},
               limit=8)  # fmt: skip
    assert len(out) == 8
    assert sum(a.enrollment_id < "e0100" for a in out) == 3


@settings(max_examples=200, deadline=None)
@given(
    n_due=st.integers(0, 60),
    allot=st.dictionaries(st.sampled_from(["i1", "i2", "i3"]), st.integers(-2, 20)),
    cap=st.one_of(st.none(), st.integers(0, 30)),
    limit=st.integers(0, 50),
    fixed=st.lists(st.sampled_from([None, "i1", "i2", "i3", "gone"]), min_size=60, max_size=60),
)
def test_nothing_exceeds_any_limit_and_nothing_is_planned_twice(
    n_due: int, allot: dict[str, int], cap: int | None, limit: int, fixed: list[str | None]
) -> None:
    due = [item(n, inbox=fixed[n]) for n in range(n_due)]
    out = plan(due, allotments=allot, pools={"c1": ["i1", "i2", "i3"]}, campaign_room={"c1": cap}, limit=limit)
    assert len(out) == len({a.enrollment_id for a in out}) <= limit
    if cap is not None:
        assert len(out) <= cap
    for inbox in ("i1", "i2", "i3"):
        assert sum(a.inbox_id == inbox for a in out) <= max(0, allot.get(inbox, 0))
    by_id = {d.enrollment_id: d for d in due}
    assert all(by_id[a.enrollment_id].inbox_id in (None, a.inbox_id) for a in out)
