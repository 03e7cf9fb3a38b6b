"""Unsubscribing a recipient from the email a token names (RFC 8058 one-click, or the page's button).

One D1 batch does all of it or none (`D1SuppressionRepository.unsubscribe`): the address we mailed is suppressed
(kind email, reason unsubscribe) and so is the person (kind person: every address they have); every active or paused
enrollment of the prospect, in every campaign, is stopped (`stop_reason` "unsubscribed"); its emails still `queued`
are cancelled (an email already `sending` is stopped by the send consumer's own suppression check); the email gets an
`unsubscribed` event and the prospect an activity, once per email. A second unsubscribe changes nothing more.
Afterwards the WarmupManager reservations the cancelled emails held are given back (best effort: they expire anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.domain.errors import NotFound
from shared.domain.normalize import normalize_email
from shared.domain.suppressions import (
    Suppression,
    SuppressionKind,
    SuppressionReason,
    UnsubscribeChanges,
    UnsubscribeTarget,
    UnsubscribeWrite,
    mask_address,
)
from shared.observability.log import Logger
from shared.ports.coordination import WarmupClient
from shared.ports.runtime import Clock, IdFactory

ACTOR = "unsubscribe"


class UnsubscribeStore(Protocol):
    async def unsubscribe_target(self, email_id: str) -> UnsubscribeTarget | None: ...

    async def unsubscribe(self, write: UnsubscribeWrite) -> UnsubscribeChanges: ...


class UnknownEmail(NotFound):
    """A token that verifies but names no stored email (deleted with its prospect)."""


@dataclass(frozen=True, slots=True)
class UnsubscribePreview:
    email_id: str
    masked_address: str
    already: bool


@dataclass(frozen=True, slots=True)
class UnsubscribeResult:
    email_id: str
    prospect_id: str
    masked_address: str
    already: bool  # this email's unsubscribe had been recorded before
    stopped_enrollments: int
    cancelled_emails: int


@dataclass(frozen=True)
class UnsubscribeService:
    store: UnsubscribeStore
    warmup: WarmupClient
    clock: Clock
    ids: IdFactory
    log: Logger

    async def _target(self, email_id: str) -> UnsubscribeTarget:
        target = await self.store.unsubscribe_target(email_id)
        if target is None:
            raise UnknownEmail("this unsubscribe link names no email")
        return target

    async def preview(self, email_id: str) -> UnsubscribePreview:
        """What the confirmation page shows (UnknownEmail for an email that is gone)."""
        target = await self._target(email_id)
        return UnsubscribePreview(target.email_id, mask_address(target.address), target.already)

    def _rule(self, kind: SuppressionKind, value: str, source: str) -> Suppression:
        return Suppression(
            id=self.ids.new_id(), kind=kind, value=value, reason=SuppressionReason.UNSUBSCRIBE, source=source,
            created_by=ACTOR, created_at=self.clock.now(),
        )  # fmt: skip

    async def unsubscribe(self, email_id: str, *, source: str) -> UnsubscribeResult:
        """Idempotent. `source`: "one-click" (the RFC 8058 POST) or "page" (the confirmation page's button)."""
        target = await self._target(email_id)
        address = normalize_email(target.address) or target.address.strip().lower()
        write = UnsubscribeWrite(
            target=target, address_rule=self._rule(SuppressionKind.EMAIL, address, source),
            person_rule=self._rule(SuppressionKind.PERSON, target.prospect_id, source), activity_id=self.ids.new_id(),
            event_id=self.ids.new_id(), source=source, at=self.clock.now(),
        )  # fmt: skip
        changes = await self.store.unsubscribe(write)
        await self._release(changes)
        self.log.info(
            "unsubscribed", email_id=email_id, prospect_id=target.prospect_id, source=source, already=target.already,
            stopped=changes.stopped, cancelled=len(changes.cancelled),
        )  # fmt: skip
        return UnsubscribeResult(
            email_id=email_id, prospect_id=target.prospect_id, masked_address=mask_address(address),
            already=target.already, stopped_enrollments=changes.stopped, cancelled_emails=len(changes.cancelled),
        )  # fmt: skip

    async def _release(self, changes: UnsubscribeChanges) -> None:
        for cancelled_id, inbox_id, token in changes.cancelled:
            if not inbox_id or not token:
                continue
            try:
                await self.warmup.release(inbox_id, token)
            except Exception as exc:  # the reservation expires by itself; the unsubscribe stands
                self.log.warning(
                    "reservation not released after an unsubscribe", email_id=cancelled_id, inbox_id=inbox_id,
                    error=f"{type(exc).__name__}: {exc}",
                )  # fmt: skip
