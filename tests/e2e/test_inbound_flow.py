"""Inbound mail end to end (issue 10, done-when): after a campaign's first emails went out, a reply stops its sequence
and produces a signed notification at a local webhook receiver, an out-of-office pauses and later resumes the
sequence, a hard bounce suppresses the address, and an unsubscribe reply suppresses the person."""

from __future__ import annotations

from email.utils import format_datetime
from typing import Any

from local.email.smtp_sink import SmtpSink
from local.fakes.webhook_receiver import WebhookReceiver
from tests.e2e.helpers import rows
from tests.e2e.test_sending_flow import AUTH, DAY, parsed, sink, start_campaign, world
from tests.samples import inbound_sample

__all__ = ["sink", "world"]  # the fixtures this module uses


async def deliver(http: Any, raw: bytes, *, sender: str, to: str = "maya@jengu-demo.test") -> None:
    answer = await http.post("/cdn-cgi/handler/email", params={"from": sender, "to": to}, content=raw)
    assert answer.status_code == 200, answer.text


async def state(runtime: Any, address_prefix: str) -> dict[str, Any]:
    [row] = await rows(runtime, "SELECT e.status, e.stop_reason, e.resume_at, e.pause_reason, p.stage, p.email_status "
                                "FROM enrollments e JOIN prospects p ON p.id = e.prospect_id "
                                "WHERE p.email_normalized LIKE ?", f"{address_prefix}%")  # fmt: skip
    return row


async def test_replies_out_of_office_and_bounces_act_on_the_sequence(world: Any, sink: SmtpSink) -> None:
    runtime, http, clock = world
    secret = "h" * 40
    runtime.env.WEBHOOK_SIGNING_SECRET = secret
    receiver = WebhookReceiver(secrets={"/hook": secret}, clock=clock.now)
    await receiver.start()
    configured = await http.put("/api/admin/webhooks", headers=AUTH, json={"endpoints": [{
        "name": "crm", "channel": "webhook", "url": receiver.url("/hook"), "kinds": ["*"],
        "secret_name": "WEBHOOK_SIGNING_SECRET",
    }]})  # fmt: skip
    assert configured.status_code == 200, configured.text
    await start_campaign(http)
    await http.post("/api/admin/trigger-send", headers=AUTH)
    await runtime.drain()
    sent = {m["To"].addresses[0].addr_spec: m for m in parsed(sink.written)}
    olivia = next(a for a in sent if a.startswith("olivia"))
    james = next(a for a in sent if a.startswith("james"))
    camille = next(a for a in sent if a.startswith("camille"))
    date = format_datetime(sent[olivia]["Date"].datetime)

    def sample(name: str, to_whom: str) -> bytes:
        m = sent[to_whom]
        return inbound_sample(name, TO="maya@jengu-demo.test", FROM=to_whom, MSGID=m["Message-ID"],
                              SUBJECT=str(m["Subject"]), DATE=date)  # fmt: skip

    await deliver(http, sample("reply_interested.eml", olivia), sender=olivia)
    await deliver(http, sample("out_of_office.eml", james), sender=james)
    await deliver(http, sample("bounce_user_unknown.eml", camille), sender="MAILER-DAEMON@smtp.outbound.example")
    await runtime.drain()

    inbound = {r["mail_from"]: r for r in await rows(runtime, "SELECT * FROM inbound_messages")}
    assert inbound[olivia]["classification"] == "reply" and inbound[olivia]["status"] == "processed"
    assert inbound[james]["classification"] == "auto_reply"
    bounce = next(r for r in inbound.values() if r["classification"] == "bounce")
    assert bounce["intent"] == "hard" and bounce["email_id"]

    assert (await state(runtime, "olivia"))["status"] == "stopped"
    assert (await state(runtime, "olivia"))["stage"] in ("engaged", "meeting")
    paused = await state(runtime, "james")
    assert paused["status"] == "paused" and paused["resume_at"] and paused["pause_reason"] == "out_of_office"
    bounced = await state(runtime, "camille")
    assert bounced["status"] == "stopped" and bounced["email_status"] == "bounced"
    suppressed = await rows(runtime, "SELECT value, reason FROM suppressions WHERE value = ?", camille)
    assert suppressed == [{"value": camille, "reason": "hard_bounce"}]

    # The interested reply is delivered to the webhook by the every-minute cron, signed.
    flushed = await http.post("/cdn-cgi/handler/scheduled", params={"cron": "* * * * *"})
    assert flushed.status_code == 200, flushed.text
    delivered = [r for r in receiver.on_path("/hook") if r.json().get("kind") == "reply_interested"]
    assert len(delivered) == 1 and delivered[0].signature_ok is True
    assert delivered[0].json()["data"]["from"] == olivia
    await receiver.stop()

    # Processing the same message again changes nothing.
    before = await rows(runtime, "SELECT count(*) AS n FROM activities")
    await deliver(http, sample("reply_interested.eml", olivia), sender=olivia)
    await runtime.drain()
    assert await rows(runtime, "SELECT count(*) AS n FROM activities") == before

    # The out-of-office's pause ends: the hourly job resumes the enrollment.
    clock.advance(30 * DAY)
    resumed = await http.post("/cdn-cgi/handler/scheduled", params={"cron": "15 * * * *"})
    assert resumed.status_code == 200, resumed.text
    assert (await state(runtime, "james"))["status"] == "active"


async def test_an_unsubscribe_reply_suppresses_and_a_spoofed_reply_changes_nothing(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    await start_campaign(http)
    await http.post("/api/admin/trigger-send", headers=AUTH)
    await runtime.drain()
    sent = {m["To"].addresses[0].addr_spec: m for m in parsed(sink.written)}
    olivia = next(a for a in sent if a.startswith("olivia"))
    james = next(a for a in sent if a.startswith("james"))

    def sample(name: str, to_whom: str, sender: str) -> bytes:
        m = sent[to_whom]
        return inbound_sample(name, TO="maya@jengu-demo.test", FROM=sender, MSGID=m["Message-ID"],
                              SUBJECT=str(m["Subject"]), DATE=format_datetime(m["Date"].datetime))  # fmt: skip

    await deliver(http, sample("reply_unsubscribe.eml", olivia, olivia), sender=olivia)
    # Someone else answers in James's thread: possibly spoofed, stored and notified, no effect on James.
    await deliver(http, sample("reply_interested.eml", james, "intruder@elsewhere.example"),
                  sender="intruder@elsewhere.example")  # fmt: skip
    await runtime.drain()
    unsubscribed = await state(runtime, "olivia")
    assert unsubscribed["status"] == "stopped"
    kinds = {r["kind"] for r in await rows(runtime, "SELECT kind FROM suppressions WHERE reason = 'unsubscribe'")}
    assert kinds == {"email", "person"}
    [spoof] = await rows(runtime, "SELECT spoofed, classification FROM inbound_messages WHERE mail_from LIKE 'intr%'")
    assert spoof == {"spoofed": 1, "classification": "reply"}
    assert (await state(runtime, "james"))["status"] == "active"
