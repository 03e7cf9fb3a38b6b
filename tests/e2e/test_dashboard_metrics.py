"""The overview's figures on the local runtime after a small campaign: three emails sent to the SMTP sink, an
interested reply, an out-of-office and a hard bounce come back; then the funnel, sends per inbox per day against the
cap, the 7/30-day rates, queue depths and alerts are what happened, and the charts drawn from them say so."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from local.email.smtp_sink import SmtpSink
from shared.bootstrap import bootstrap
from shared.domain import charts
from shared.service_layer.dashboard_metrics import OverviewMetrics, overview_metrics
from tests.e2e.helpers import rows
from tests.e2e.test_inbound_flow import deliver
from tests.e2e.test_sending_flow import AUTH, parsed, sink, start_campaign, world
from tests.samples import inbound_sample

__all__ = ["sink", "world"]  # the fixtures this module uses
NS = "{http://www.w3.org/2000/svg}"


async def campaign_with_answers(runtime: Any, http: Any, sink: SmtpSink) -> None:
    """Given three prospects mailed, when one answers with interest, one is out of office and one bounces hard."""
    await start_campaign(http)
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 3
    await runtime.drain()
    sent = {m["To"].addresses[0].addr_spec: m for m in parsed(sink.written)}
    assert len(sent) == 3

    def sample(name: str, prefix: str) -> tuple[bytes, str]:
        to_whom = next(a for a in sent if a.startswith(prefix))
        m = sent[to_whom]
        raw = inbound_sample(name, TO="maya@jengu-demo.test", FROM=to_whom, MSGID=m["Message-ID"],
                             SUBJECT=str(m["Subject"]), DATE=format_datetime(m["Date"].datetime))  # fmt: skip
        return raw, to_whom

    raw, olivia = sample("reply_interested.eml", "olivia")
    await deliver(http, raw, sender=olivia)
    raw, james = sample("out_of_office.eml", "james")
    await deliver(http, raw, sender=james)
    raw, _ = sample("bounce_user_unknown.eml", "camille")
    await deliver(http, raw, sender="MAILER-DAEMON@smtp.outbound.example")
    await runtime.drain()


async def metrics(runtime: Any) -> OverviewMetrics:
    services = bootstrap(runtime.env)
    return await overview_metrics(services, services.clock.now())


async def test_the_overview_counts_what_the_campaign_did(world: Any, sink: SmtpSink) -> None:
    runtime, http, clock = world
    await campaign_with_answers(runtime, http, sink)
    [inbox] = await rows(runtime, "SELECT id, email, daily_cap FROM inboxes")
    stages = {r["stage"]: r["n"] for r in await rows(runtime, "SELECT stage, count(*) AS n FROM prospects "
                                                                 "GROUP BY stage")}  # fmt: skip

    m = await metrics(runtime)

    # The funnel: eleven imported, the three mailed were contacted, Olivia's interest moved her on; no win yet.
    assert m.stages == stages and sum(stages.values()) == 11
    reached = {f.stage: f.reached for f in m.funnel}
    assert [f.stage for f in m.funnel] == ["new", "enriched", "contacted", "engaged", "meeting", "won"]
    assert reached["new"] == 11 and reached["enriched"] == reached["contacted"] == 3
    assert {f.stage: f.current for f in m.funnel}["new"] == stages["new"] == 8
    assert reached["engaged"] == 1 and reached["won"] == 0
    assert reached["meeting"] == stages.get("meeting", 0)
    # Sends: 14 UTC days ending today, three today, against the inbox's cap.
    today = datetime.fromtimestamp(clock.now(), UTC).date().isoformat()
    assert len(m.days) == 14 and m.days[-1] == today
    [sends] = m.inboxes
    assert (sends.inbox_id, sends.email, sends.daily_cap) == (inbox["id"], inbox["email"], inbox["daily_cap"])
    assert sends.per_day == (0,) * 13 + (3,) and sends.today == 3
    # Rates: one human reply (the out-of-office is not one), positive; one hard bounce; no complaint.
    week, month = m.rates
    assert (week.days, month.days) == (7, 30)
    for period in (week, month):
        assert period.sent == 3
        assert (period.replies.count, period.replies.of, period.replies.pct) == (1, 3, 33.3)
        assert (period.positive_replies.count, period.positive_replies.pct) == (1, 33.3)
        assert (period.bounces.count, period.bounces.of) == (1, 3)
        assert (period.complaints.count, period.complaints.pct) == (0, 0.0)
    # Every queue answered and is drained.
    assert {q.queue for q in m.queues} >= {"send", "compose", "events", "inbound", "dlq"}
    assert all(q.backlog == 0 and q.error is None for q in m.queues)
    assert not m.emergency_stop and not [a for a in m.alerts if a.kind in ("emergency_stop", "failed_tasks")]

    # The charts drawn from these figures show them.
    bars = ET.fromstring(charts.daily_bars(m.days, [charts.Series(s.label, s.per_day, cap=s.daily_cap)
                                                    for s in m.inboxes]))  # fmt: skip
    titles = [e.findtext(f"{NS}title") for e in bars.iter(f"{NS}rect") if e.get("class") == "bar"]
    assert f"Maya Ødegård, {today}: 3 of {inbox['daily_cap']}" in titles
    funnel = ET.fromstring(charts.funnel([(f.stage, f.reached) for f in m.funnel]))
    assert "engaged: 1 (9%)" in (funnel.findtext(f"{NS}desc") or "")


async def test_periods_move_with_the_clock(world: Any, sink: SmtpSink) -> None:
    runtime, http, clock = world
    await campaign_with_answers(runtime, http, sink)
    clock.advance(timedelta(days=8).total_seconds())

    week, month = (await metrics(runtime)).rates

    assert (week.sent, week.replies.pct, week.bounces.pct) == (0, None, None)  # nothing to divide by: no rate
    assert (month.sent, month.replies.count, month.bounces.count) == (3, 1, 1)
    [sends] = (await metrics(runtime)).inboxes
    assert sends.per_day[-9] == 3 and sum(sends.per_day) == 3


async def test_alerts_name_what_needs_a_person(world: Any, sink: SmtpSink) -> None:
    runtime, http, clock = world
    await campaign_with_answers(runtime, http, sink)
    [inbox] = await rows(runtime, "SELECT id, email FROM inboxes")
    stopped = await http.post("/api/admin/emergency-stop", headers=AUTH, json={"enabled": True})
    assert stopped.status_code == 200, stopped.text
    paused = await http.post(f"/api/inboxes/{inbox['id']}/pause", headers=AUTH, json={"reason": "new domain"})
    assert paused.status_code == 200, paused.text
    await runtime.env.EVENTS_QUEUE.send("{not an envelope")  # dead-lettered: a failed task
    await runtime.drain()
    await bootstrap(runtime.env).rate_limiter.exhaust("default", "provider:brave", "month")  # Brave said: no credits

    m = await metrics(runtime)

    kinds = {a.kind: a for a in m.alerts}
    assert m.emergency_stop and kinds["emergency_stop"].level == "danger"
    assert "nothing is sent" in kinds["emergency_stop"].text
    assert kinds["inbox_paused"].text == f"Inbox {inbox['email']} is paused: new domain."
    assert kinds["failed_tasks"].text.startswith("1 failed task has not been replayed or discarded")
    month_end = datetime.fromtimestamp(clock.now(), UTC).replace(day=1) + timedelta(days=31)
    until = month_end.replace(day=1, hour=0, minute=0, second=0).isoformat()
    assert kinds["provider_quota"].text == f"Provider brave is out of its monthly quota until {until}."
    assert [a.kind for a in m.alerts].count("provider_quota") == 1 and "unavailable" not in kinds
