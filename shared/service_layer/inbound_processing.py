"""The `inbound` consumer's work for one stored message: parse, classify, match to our email, judge trust, and apply
the effects in one D1 batch (issue 10). Idempotent: a message already processed changes nothing the second time
(the row's status guards; effects are guarded writes; the activity's id derives from the message).

Matching: our Message-IDs in In-Reply-To/References (and the original headers a bounce or complaint embeds) first,
then the failed recipient of a bounce, then the sender against our recent mail; else unmatched (kept, no prospect
touched). Trust: a reply whose Authentication-Results say DMARC failed, or whose sender is not the address we
mailed, is possibly spoofed: stored and notified, no automatic effect.

Effects: a human reply stops the sequence (stop rules; optionally the whole company), moves the stage (interested /
question -> engaged, meeting_request -> meeting, not_interested -> lost), an unsubscribe reply suppresses the person
everywhere, a referral becomes a prospect suggestion. An out-of-office pauses the enrollment until the day after its
return date (14 days when none is given), never counted as a reply. A hard bounce bounces the email and the address,
suppresses it and stops the enrollment; a soft bounce is counted (suppressed after three within 30 days); a policy
bounce feeds InboxHealth, the prospect untouched. A complaint suppresses the address and feeds InboxHealth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.d1 import sql_inbound_effects as sql
from shared.adapters.d1.client import Query, bound_text
from shared.domain.errors import NotFound
from shared.messages.inbox_health import HealthEvent

OOO_DEFAULT_PAUSE = timedelta(days=14)
MATCH_BY_ADDRESS_SINCE = timedelta(days=120)
SOFT_BOUNCES_TO_SUPPRESS = 3
SOFT_BOUNCE_WINDOW = timedelta(days=30)
STAGE_BY_INTENT = {"interested": "engaged", "question": "engaged", "meeting_request": "meeting",
                   "not_interested": "lost"}  # fmt: skip
REPLY_INTENTS = ("interested", "meeting_request", "question", "not_interested", "unsubscribe", "referral", "other")
INTENT_PROMPT = (
    "You classify a reply to a B2B cold email sent to a hotel. Answer with JSON only: "
    '{"intent": one of ' + ", ".join(REPLY_INTENTS) + ', "confidence": a number from 0 to 1}. '
    "unsubscribe: asks to stop or remove them; not_interested: declines; meeting_request: proposes or accepts a "
    "call or meeting; interested: positive without a meeting; question: asks something; referral: points to "
    "someone else; other: anything else. The reply may be in any language."
)
NOTIFY = {"interested": "reply_interested", "meeting_request": "reply_meeting_request", "question": "reply_question",
          "referral": "reply_referral"}  # fmt: skip


def _iso(at: datetime) -> str:
    return at.isoformat()


@dataclass(frozen=True)
class InboundProcessor:
    services: Any  # shared.bootstrap.Services

    @property
    def _db(self) -> Any:
        return self.services.db

    async def process(self, inbound_id: str, *, force: bool = False) -> str:
        from shared.domain.inbound_mail.parse import parse_message
        from shared.domain.inbound_mail.verdict import decide

        s = self.services
        meta = await self._db.first(sql.META, inbound_id)
        if meta is None:
            raise NotFound(f"inbound message {inbound_id} is not stored")
        if meta["status"] == "processed" and not force and not self._corrected_since(meta):
            return "already_processed"
        raw = await s.inbound.raw(inbound_id)
        if raw is None:
            raise NotFound(f"inbound message {inbound_id} has no bytes")
        mail = parse_message(raw)
        received = datetime.fromisoformat(str(meta["received_at"]))
        received = received if received.tzinfo else received.replace(tzinfo=UTC)
        verdict = decide(mail, received=received.date())
        if verdict.classification == "reply":
            verdict = await self._ai_intent(verdict, mail)
        verdict = self._corrected(verdict, meta)
        email = await self._match(verdict, mail, received)
        spoofed = self._spoofed(verdict, mail, email)
        now = s.clock.now()
        queries, after = await self._effects(inbound_id, verdict, mail, email, spoofed, now)
        bounce_address = self._bounce_address(verdict)
        details = {**verdict.details, "spoofed": spoofed, "auth": {"spf": mail.auth.spf, "dkim": mail.auth.dkim,
                                                                    "dmarc": mail.auth.dmarc}}  # fmt: skip
        queries.insert(0, Query(sql.RECORD, (
            inbound_id, verdict.classification, verdict.intent, verdict.confidence,
            bound_text(json.dumps(details, default=str)), int(spoofed), email["prospect_id"] if email else None,
            email["id"] if email else None, email["campaign_id"] if email else None, bounce_address, _iso(now),
        )))  # fmt: skip
        await self._db.batch_changes(queries)
        for step in after:
            await step()
        await self._notify(inbound_id, verdict, email, spoofed, mail)
        s.log.info("inbound processed", inbound_id=inbound_id, classification=verdict.classification,
                   intent=verdict.intent, matched=email is not None, spoofed=spoofed)  # fmt: skip
        return verdict.classification

    # -- classification, matching, trust ----------------------------------------------------------------------

    async def _ai_intent(self, verdict: Any, mail: Any) -> Any:
        """The AI gateway's reading of a human reply when providers are configured; the rule-based verdict stands when
        none is, when all fail, or when the answer is not one of the intents (and its reason is kept)."""
        from dataclasses import replace

        gateway = self.services.ai_gateway
        if gateway is None:
            return verdict
        from shared.ports.ai import Completion, CompletionRequest

        chosen: dict[str, Any] = {}

        def accept(completion: Completion) -> list[str]:
            try:
                text = completion.text.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
                answer = json.loads(text)
            except ValueError:
                return ["unparseable"]
            if not isinstance(answer, dict) or answer.get("intent") not in REPLY_INTENTS:
                return ["unknown_intent"]
            chosen.update(answer, provider=completion.provider)
            return []

        request = CompletionRequest(system=INTENT_PROMPT, user=f"Subject: {mail.subject}\n\n{mail.reply_text[:4000]}",
                                    max_tokens=200, temperature=0.0)  # fmt: skip
        result = await gateway.complete(request, accept)
        if result.completion is None or not chosen:
            return replace(verdict, details={**verdict.details, "ai": "fallback to rules"})
        confidence = chosen.get("confidence")
        return replace(
            verdict, intent=chosen["intent"],
            confidence=float(confidence) if isinstance(confidence, int | float) else verdict.confidence,
            details={**verdict.details, "rule": f"ai:{chosen['provider']}", "rules_said": verdict.intent},
        )  # fmt: skip

    @staticmethod
    def _corrected_since(meta: dict[str, Any]) -> bool:
        """A person reclassified the message after it was processed: apply the corrected verdict's effects (the
        earlier effects are not reverted: a stop or a suppression is the safe side; say so to the person)."""
        corrections = json.loads(meta["corrections"]) if meta.get("corrections") else []
        return bool(corrections) and str(corrections[-1].get("at") or "") > str(meta.get("processed_at") or "")

    @staticmethod
    def _corrected(verdict: Any, meta: dict[str, Any]) -> Any:
        """A person's reclassification wins over the classifiers (the newest correction)."""
        from dataclasses import replace

        corrections = json.loads(meta["corrections"]) if meta.get("corrections") else []
        if not corrections:
            return verdict
        last = corrections[-1]
        return replace(verdict, classification=last.get("classification") or verdict.classification,
                       intent=last.get("intent") or verdict.intent, confidence=1.0)  # fmt: skip

    async def _match(self, verdict: Any, mail: Any, received: datetime) -> dict[str, Any] | None:
        if verdict.original_message_ids:
            found = await self._db.first(sql.BY_MESSAGE_IDS, json.dumps(list(verdict.original_message_ids)))
            if found is not None:
                return found
        since = _iso(received - MATCH_BY_ADDRESS_SINCE)
        address = self._bounce_address(verdict) if verdict.classification == "bounce" else mail.from_address
        if address:
            found = await self._db.first(sql.BY_ADDRESS, address.lower(), since)
            if found is not None:
                return found
        return None

    @staticmethod
    def _spoofed(verdict: Any, mail: Any, email: dict[str, Any] | None) -> bool:
        if verdict.classification not in ("reply", "auto_reply", "unsubscribe_request"):
            return False
        if (mail.auth.dmarc or "").lower() == "fail":
            return True
        return bool(email and mail.from_address and mail.from_address.lower() != str(email["to_address"]).lower())

    @staticmethod
    def _bounce_address(verdict: Any) -> str | None:
        if verdict.classification != "bounce" or verdict.bounce is None:
            return None
        for recipient in verdict.bounce.recipients:
            if recipient.address:
                return str(recipient.address).lower()
        return None

    # -- effects ----------------------------------------------------------------------------------------------

    async def _effects(self, inbound_id: str, verdict: Any, mail: Any, email: dict[str, Any] | None, spoofed: bool,
                       now: datetime) -> tuple[list[Query], list[Any]]:  # fmt: skip
        s = self.services
        queries: list[Query] = []
        after: list[Any] = []  # Durable Object calls and services that run after the batch
        if email is None or spoofed:
            return queries, after
        prospect, enrollment, stamp = email["prospect_id"], email["enrollment_id"], _iso(now)
        kind = verdict.classification
        queries.append(Query(sql.ACTIVITY, (
            f"inbound:{inbound_id}", prospect, f"inbound_{kind}", f"{kind}: {verdict.intent or ''}".strip(": ")[:200],
            json.dumps({"inbound_id": inbound_id, "email_id": email["id"], "intent": verdict.intent}), stamp,
        )))  # fmt: skip
        rules = await self._stop_rules(email["campaign_id"])
        if kind == "reply":
            queries.append(Query(sql.EMAIL_REPLIED, (email["id"], stamp)))
            if enrollment and rules.get("on_reply", "stop") == "stop":
                queries.append(Query(sql.STOP, (enrollment, f"replied_{verdict.intent}", stamp)))
                company = email.get("company_key")
                if rules.get("company") and company:
                    queries.append(Query(sql.STOP_COMPANY, (email["campaign_id"], company, "company_replied", stamp,
                                                            enrollment)))  # fmt: skip
            stage = STAGE_BY_INTENT.get(verdict.intent or "")
            if stage:
                queries.append(Query(sql.STAGE, (prospect, stage, stamp)))
            if verdict.intent == "unsubscribe":
                after.append(lambda: self._unsubscribe(email["id"], "reply"))
            referral = verdict.reply and (verdict.reply.referral_email or verdict.reply.referral_name)
            if referral:
                queries.append(Query(sql.SUGGESTION, (s.ids.new_id(), prospect, inbound_id,
                                                      verdict.reply.referral_name, verdict.reply.referral_email,
                                                      stamp)))  # fmt: skip
        elif kind == "auto_reply":
            auto = verdict.auto_reply
            action = rules.get("on_auto_reply", "pause")
            if auto.kind == "out_of_office" and enrollment and action != "continue":
                if action == "stop":
                    queries.append(Query(sql.STOP, (enrollment, "auto_reply", stamp)))
                else:
                    back = (
                        auto.return_date + timedelta(days=1) if auto.return_date else (now + OOO_DEFAULT_PAUSE).date()
                    )
                    resume = datetime.combine(back, datetime.min.time(), UTC).replace(hour=8)
                    queries.append(Query(sql.PAUSE_UNTIL, (enrollment, _iso(max(resume, now)), "out_of_office",
                                                           stamp)))  # fmt: skip
            elif auto.kind == "no_longer_monitored" and enrollment:
                queries.append(Query(sql.STOP, (enrollment, "address_not_monitored", stamp)))
                if auto.referral_email or auto.referral_name:
                    queries.append(Query(sql.SUGGESTION, (s.ids.new_id(), prospect, inbound_id, auto.referral_name,
                                                          auto.referral_email, stamp)))  # fmt: skip
        elif kind == "bounce":
            verdict_kind = verdict.intent
            address = self._bounce_address(verdict) or str(email["to_address"])
            if verdict_kind == "hard":
                queries += [
                    Query(sql.EMAIL_BOUNCED, (email["id"], stamp)),
                    Query(sql.PROSPECT_BOUNCED, (prospect, stamp)),
                    Query(
                        sql.SUPPRESS,
                        (s.ids.new_id(), "email", address, "hard_bounce", f"dsn {inbound_id}"[:200], stamp),
                    ),
                ]
                if enrollment and rules.get("on_bounce", "stop") == "stop":
                    queries.append(Query(sql.STOP, (enrollment, "bounced", stamp)))
                after.append(lambda: self._health(email["inbox_id"], HealthEvent.HARD_BOUNCE))
            elif verdict_kind == "soft":
                since = _iso(now - SOFT_BOUNCE_WINDOW)
                earlier = await self._db.first(sql.SOFT_BOUNCES_SINCE, address, since, inbound_id)
                if int((earlier or {}).get("n") or 0) + 1 >= SOFT_BOUNCES_TO_SUPPRESS:
                    queries.append(Query(sql.SUPPRESS, (s.ids.new_id(), "email", address, "hard_bounce",
                                                        "repeated soft bounces", stamp)))  # fmt: skip
                    if enrollment:
                        queries.append(Query(sql.STOP, (enrollment, "soft_bounces", stamp)))
                after.append(lambda: self._health(email["inbox_id"], HealthEvent.SOFT_BOUNCE))
            elif verdict_kind == "policy":  # the recipient is not at fault; the inbox may be
                after.append(lambda: self._health(email["inbox_id"], HealthEvent.TRANSPORT_FAILURE))
        elif kind == "complaint" and getattr(verdict.complaint, "suppresses", True):  # not not-spam / auth-failure
            queries.append(Query(sql.SUPPRESS, (s.ids.new_id(), "email", str(email["to_address"]), "complaint",
                                                f"arf {inbound_id}"[:200], stamp)))  # fmt: skip
            if enrollment:
                queries.append(Query(sql.STOP, (enrollment, "complaint", stamp)))
            after.append(lambda: self._health(email["inbox_id"], HealthEvent.COMPLAINT))
        elif kind == "unsubscribe_request":
            after.append(lambda: self._unsubscribe_token(verdict.unsubscribe_token))
        return queries, after

    async def _stop_rules(self, campaign_id: str | None) -> dict[str, Any]:
        if not campaign_id:
            return {}
        campaign = await self.services.campaign_store.get(campaign_id)
        return campaign.settings.stop.model_dump() if campaign is not None else {}

    async def _health(self, inbox_id: str | None, event: HealthEvent) -> None:
        if not inbox_id:
            return
        try:
            await self.services.inbox_health.record(inbox_id, event, self.services.clock.now().timestamp())
        except Exception as exc:  # the message is recorded; health is an input, not a condition
            self.services.log.warning("inbox health not fed", error=f"{type(exc).__name__}: {exc}")

    async def _unsubscribe(self, email_id: str, source: str) -> None:
        await self.services.unsubscribe_service.unsubscribe(email_id, source=source)

    async def _unsubscribe_token(self, token: str | None) -> None:
        from shared.domain.sending.unsubscribe_tokens import TokenInvalid, read_token, secrets_from

        if not token:
            return
        try:
            email_id = read_token(secrets_from(self.services.settings.unsubscribe_secret), token)
        except (TokenInvalid, ValueError):
            self.services.log.warning("mailto unsubscribe with a token that does not verify")
            return
        await self._unsubscribe(email_id, "mailto")

    async def _notify(self, inbound_id: str, verdict: Any, email: dict[str, Any] | None, spoofed: bool,
                      mail: Any) -> None:  # fmt: skip
        kind = "inbound_spoofed" if spoofed else None
        if kind is None and verdict.classification == "reply":
            kind = NOTIFY.get(verdict.intent or "")
        if kind is None and verdict.classification == "unknown":
            kind = "inbound_unknown"
        if kind is None:
            return
        data = {"inbound_id": inbound_id, "from": mail.from_address, "subject": mail.subject[:200],
                "intent": verdict.intent, "prospect_id": email["prospect_id"] if email else None,
                "excerpt": (mail.reply_text or mail.text)[:500]}  # fmt: skip
        try:
            await self.services.notifier.notify(kind, inbound_id, data)
        except Exception as exc:  # a notification is best effort; the message itself is recorded
            self.services.log.warning("notification not recorded", kind=kind, error=f"{type(exc).__name__}: {exc}")
