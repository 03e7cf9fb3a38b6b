"""The demo's steps against the API, each printing what happened; every wait polls through `Session.sleep` (tests
drain the runtime there) and gives up after `timeout` seconds of the session's clock with one clear line."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from cli.client import EXIT_API, EXIT_UNAVAILABLE, EXIT_USAGE, ApiClient, CliError
from cli.commands import Session
from cli.commands.enrich import finished
from cli.config import PACKAGE_ROOT
from cli.demo.samples import BOUNCER, INBOX, LEAD_SOURCE, REPLIES, TAG, Person, cast, lead_file, reply
from cli.output import Output

T = TypeVar("T")
CAMPAIGN = re.compile(r"Jengu demo #(\d+)")
LIVE_IMPORT = ("staging", "queued", "running")
ENDED_EMAIL = ("sent", "failed", "bounced", "cancelled")
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
STEPS = [
    {"kind": "template", "variants": [{"key": "A", "subject": "A question for {{ hotel or 'your hotel' }}",
     "body": "Hi {{ first_name or 'there' }},\n\nwould a hand with guest outreach help {{ hotel or 'your hotel' }}?"
             "\n\n{{ sender.name }}"}]},
    {"delay": 3, "delay_unit": "business_days", "kind": "template", "variants": [{"key": "A", "subject": "-",
     "body": "Hi {{ first_name or 'there' }}, a quick follow-up on my note.\n\n{{ sender.name }}"}]},
]  # fmt: skip
ANSWERED = ("engaged", "meeting", "won", "lost")  # someone who already replied gets no cold email again
# What each reply leaves on its sender's enrollment, in REPLIES order.
EXPECTED = ("stopped", "paused", "stopped", "stopped")


@dataclass
class Demo:
    session: Session
    client: ApiClient
    out: Output
    samples: Path
    timeout: float = 120.0
    interval: float = 1.0
    run: int = 0
    outbox: str = ""  # where the local runtime's SMTP sink writes (from /__local/queues)
    facts: dict[str, Any] = field(default_factory=dict)  # what the run left, for --json and the tests

    # -- plumbing ----------------------------------------------------------------------------------------------
    def say(self, step: int, message: str) -> None:
        self.out.text(f"[{step}/6] {message}")

    async def wait(self, what: str, check: Callable[[], Awaitable[T | None]]) -> T:
        """Poll `check` until it returns something; a CliError after `timeout` seconds."""
        clock = self.session.deps.clock
        deadline = clock() + self.timeout
        while True:
            found = await check()
            if found is not None:
                return found
            if clock() >= deadline:
                raise CliError("timeout", f"{what} did not complete within {self.timeout:g} s (is `make dev` still "
                               "running? its log says why)", EXIT_UNAVAILABLE)  # fmt: skip
            await self.session.sleep(self.interval)

    async def listed(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        return [item async for item in self.client.pages(path, params)]

    # -- 1. the local runtime ----------------------------------------------------------------------------------
    async def check_local(self) -> None:
        base = self.client.base_url
        try:
            health = await self.client.request("GET", "/health", accept=(503,))
        except CliError as exc:
            if exc.code in ("unreachable", "timeout"):
                raise CliError("not_running", f"nothing answers at {base}: start the local runtime with `make dev` "
                               "(or pass --url)", EXIT_UNAVAILABLE) from exc  # fmt: skip
            raise
        queues = await self.client.request("GET", "/__local/queues", accept=range(400, 500))
        if queues.status_code != 200:
            raise CliError("not_local", f"{base} is not the local runtime (no /__local/queues): the demo writes "
                           "sample data, run it against `make dev`", EXIT_USAGE)  # fmt: skip
        self.outbox = str(queues.json().get("outbox") or PACKAGE_ROOT / ".local" / "outbox")  # where the sink writes
        status = health.json().get("status", health.status_code) if health.content else health.status_code
        campaigns = await self.listed("/api/campaigns", {"archived": "all", "limit": 100})
        runs = [int(m[1]) for c in campaigns if (m := CAMPAIGN.fullmatch(str(c.get("name"))))]
        self.run = max(runs, default=0) + 1
        self.say(1, f"local runtime at {base}: health {status}, {len(queues.json().get('queues', {}))} queues; "
                    f"this is demo run #{self.run}")  # fmt: skip

    # -- 2. import and enrichment ------------------------------------------------------------------------------
    async def import_leads(self) -> None:
        body = lead_file(self.samples, self.run)
        job = await self.client.json("POST", "/api/imports", content=body, params={"lead_source": LEAD_SOURCE},
                                     headers={"Content-Type": "text/csv"})  # fmt: skip

        async def ended() -> dict[str, Any] | None:
            report: dict[str, Any] = await self.client.get(f"/api/imports/{job['id']}")
            return None if report["state"] in LIVE_IMPORT else report

        report = await self.wait(f"the import job {job['id']}", ended)
        if report["state"] != "done":
            raise CliError(f"import_{report['state']}", report.get("failure") or "the import did not finish", EXIT_API)
        counts = {k: report[k] for k in ("created", "updated", "duplicates", "skipped", "errors_count")}
        self.facts["import"] = counts
        self.say(2, f"imported {report['rows_total']} rows (job {job['id']}): {counts['created']} created, "
                    f"{counts['updated']} updated, {counts['duplicates']} duplicates, {counts['skipped']} skipped, "
                    f"{counts['errors_count']} errors")  # fmt: skip

    async def enrich(self) -> list[dict[str, Any]]:
        queued = await self.client.post("/api/enrich", {"filter": {"tag": TAG, "has_email": False}})

        async def settled() -> dict[str, Any] | None:
            status: dict[str, Any] = await self.client.get("/api/enrich/status")
            return status if finished(status) else None

        await self.wait("enrichment", settled)
        prospects = await self.listed("/api/prospects", {"tag": TAG, "limit": 100})
        with_email = [p for p in prospects if p.get("email")]
        self.facts["prospects"] = len(prospects)
        self.facts["with_email"] = len(with_email)
        selection = f"selection {queued['selection_id']}" if queued.get("selection_id") else f"{queued['queued']}"
        self.say(2, f"enrichment ({selection}) finished: {len(with_email)} of {len(prospects)} demo prospects have an "
                    "address")  # fmt: skip
        rows = [[f"{p.get('first_name') or ''} {p.get('last_name') or ''}".strip(), p.get("company_name"),
                 p.get("country"), p.get("email"), p.get("email_status"), p.get("website")]
                for p in prospects]  # fmt: skip
        self.out.table(("person", "hotel", "country", "email", "email status", "website"), rows, title="prospects")
        return prospects

    # -- 3. inbox, campaign, enrollments -----------------------------------------------------------------------
    async def inbox(self) -> dict[str, Any]:
        found = next((i for i in await self.listed("/api/inboxes", {"limit": 200}) if i.get("email") == INBOX), None)
        if found is None:
            created = await self.client.post("/api/inboxes", {
                "email": INBOX, "display_name": "Jengu Demo", "timezone": "Europe/London",
                "postal_address": "1 Demo Street, London EC1A 1AA", "warmup": {"enabled": False},
                "dkim_selector": "jengu", "daily_cap": 200, "hourly_cap": 100,
                "send_window": {"start": "00:00", "end": "23:59"},
            })  # fmt: skip
            found = created.get("inbox", created)
        elif found.get("status") != "active":
            await self.client.post(f"/api/inboxes/{found['id']}/resume")
        return found

    async def campaign(self, inbox: dict[str, Any], prospects: list[dict[str, Any]]) -> dict[str, Any]:
        campaign = await self.client.post("/api/campaigns", {
            "name": f"Jengu demo #{self.run}", "inbox_ids": [inbox["id"]], "steps": STEPS,
            "settings": {"timezone": "Europe/London", "skip_holidays": False,
                         "window": {"weekdays": EVERY_DAY, "start": "00:00", "end": "24:00"}},
        })  # fmt: skip
        await self.client.post(f"/api/campaigns/{campaign['id']}/activate")
        ids = [p["id"] for p in prospects if p.get("email") and p.get("stage") not in ANSWERED]
        report = await self.client.post(f"/api/campaigns/{campaign['id']}/enrollments", {"ids": ids})
        self.facts["campaign_id"] = campaign["id"]
        self.facts["enrolled"] = report["enrolled"]
        refused = report.get("refused") or {}
        self.say(3, f"inbox {INBOX}, campaign {campaign['name']!r} ({campaign['id']}) active with 2 steps: "
                    f"{report['enrolled']} enrolled, {sum(refused.values())} refused")  # fmt: skip
        if refused:
            self.out.table(("refused because", "prospects"), sorted(refused.items()), title="enrollment")
        if not report["enrolled"]:
            raise CliError("nothing_enrolled", "no demo prospect could be enrolled", EXIT_API)
        return campaign

    # -- 4. sending --------------------------------------------------------------------------------------------
    async def send(self, campaign_id: str, people: list[Person]) -> dict[str, dict[str, Any]]:
        tick = await self.client.post("/api/admin/trigger-send")
        enrolled = int(self.facts["enrolled"])

        async def all_sent() -> list[dict[str, Any]] | None:
            emails = await self.listed("/api/emails", {"campaign_id": campaign_id, "limit": 100})
            if sum(e["status"] in ENDED_EMAIL for e in emails) >= enrolled:
                return emails
            await self.client.post("/api/admin/trigger-send")  # anything a slot deferred; a tick never repeats work
            return None

        emails = await self.wait("sending the first step", all_sent)
        sent = {e["to_address"]: e for e in emails if e["status"] == "sent"}
        self.facts["sent"] = len(sent)
        self.say(4, f"tick enqueued {tick.get('enqueued', 0)}; {len(sent)} emails sent, "
                    f"{len(emails) - len(sent)} not sent")  # fmt: skip
        self.out.table(("to", "subject", "status", "Message-ID"),
                       [[e["to_address"], e["subject"], e["status"], e["message_id"]] for e in emails],
                       title="emails")  # fmt: skip
        missing = [p.email for p in people if p.email not in sent]
        if missing:
            raise CliError("not_sent", f"no email was sent to {', '.join(missing)}", EXIT_API)
        self.out.text(f"      the .eml files are in {self.outbox} (the local runtime's SMTP sink)")
        return sent

    # -- 5. replies --------------------------------------------------------------------------------------------
    async def replies(self, campaign_id: str, people: list[Person], sent: dict[str, dict[str, Any]]) -> None:
        for person, (name, _label) in zip(people, REPLIES, strict=True):
            email = sent[person.email]
            raw = reply(self.samples, name, run=self.run, inbox=INBOX, person=person, message_id=email["message_id"],
                        subject=email["subject"], sent_at=datetime.fromisoformat(email["sent_at"]))  # fmt: skip
            sender = BOUNCER if "bounce" in name else person.email
            await self.client.request("POST", "/cdn-cgi/handler/email", params={"from": sender, "to": INBOX},
                                      content=raw, headers={"Content-Type": "message/rfc822"})  # fmt: skip
        by_prospect = {sent[p.email]["prospect_id"]: i for i, p in enumerate(people)}

        async def processed() -> list[dict[str, Any]] | None:
            items = await self.listed(f"/api/campaigns/{campaign_id}/enrollments", {"limit": 500})
            mine = sorted(
                (e for e in items if e["prospect_id"] in by_prospect), key=lambda e: by_prospect[e["prospect_id"]]
            )
            return mine if [e["status"] for e in mine] == list(EXPECTED) else None

        enrollments = await self.wait("processing the replies", processed)
        suppressed: dict[str, str] = {}
        for person in people:
            found = await self.client.get("/api/suppressions", {"q": person.email})
            suppressed.update({s["value"]: s["reason"] for s in found.get("items", []) if s["value"] == person.email})
        rows = [
            [p.name, p.email, label, e["status"], e.get("stop_reason") or e.get("pause_reason"), e.get("resume_at"),
             suppressed.get(p.email)]
            for p, (_, label), e in zip(people, REPLIES, enrollments, strict=True)
        ]  # fmt: skip
        self.facts["replies"] = {label: e["status"] for (_, label), e in zip(REPLIES, enrollments, strict=True)}
        self.facts["suppressed"] = suppressed
        self.say(5, f"{len(people)} replies delivered through /cdn-cgi/handler/email and processed: "
                    f"{EXPECTED.count('stopped')} sequences stopped, {EXPECTED.count('paused')} paused, "
                    f"{len(suppressed)} addresses suppressed")  # fmt: skip
        self.out.table(("person", "address", "sent back", "enrollment", "reason", "resumes", "suppressed"), rows,
                       title="replies")  # fmt: skip

    # -- 6. where to look --------------------------------------------------------------------------------------
    async def where_to_look(self, campaign_id: str) -> None:
        base = self.client.base_url
        self.say(6, "done. Where to look:")
        self.out.fields([
            ("dashboard", f"{base}/app/"), ("replies", f"{base}/app/replies"),
            ("campaign", f"{base}/app/campaigns/{campaign_id}"), ("API docs", f"{base}/docs"),
            ("outbox", self.outbox),
        ])  # fmt: skip

    async def run_all(self) -> dict[str, Any]:
        await self.check_local()
        await self.import_leads()
        prospects = await self.enrich()
        people = cast(self.run)
        campaign = await self.campaign(await self.inbox(), prospects)
        sent = await self.send(campaign["id"], people)
        await self.replies(campaign["id"], people, sent)
        await self.where_to_look(campaign["id"])
        return {"run": self.run, **self.facts}
