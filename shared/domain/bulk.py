"""Bulk changes to prospects: what one action does to one prospect, decided purely, with a per-id outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from shared.domain.errors import ValidationFailed
from shared.domain.prospect_records import ProspectRecord, patched_record
from shared.domain.prospects import ProspectPatch, Stage, Tier, check_transition

MAX_BULK_IDS = 10_000


class BulkAction(StrEnum):
    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"
    TAG = "tag"
    UNTAG = "untag"
    SET_TIER = "set_tier"
    SET_STAGE = "set_stage"
    DELETE = "delete"


class Outcome(StrEnum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    NOT_FOUND = "not_found"
    INVALID_TRANSITION = "invalid_transition"
    CONFLICT = "conflict"


VALUE_REQUIRED = {BulkAction.TAG, BulkAction.UNTAG, BulkAction.SET_TIER, BulkAction.SET_STAGE}


def check_value(action: BulkAction, value: str | None) -> str | None:
    if action not in VALUE_REQUIRED:
        if value is not None:
            raise ValidationFailed(f"{action.value} takes no value")
        return None
    if not value:
        raise ValidationFailed(f"{action.value} needs a value")
    if action is BulkAction.SET_TIER:
        return Tier(value).value if value in Tier._value2member_map_ else _bad("tier", value)
    if action is BulkAction.SET_STAGE:
        return Stage(value).value if value in Stage._value2member_map_ else _bad("stage", value)
    tag = value.strip().lower()
    if not tag or len(tag) > 40:
        raise ValidationFailed("a tag is 1-40 characters")
    return tag


def _bad(kind: str, value: str) -> str:
    raise ValidationFailed(f"unknown {kind} {value!r}")


def apply(record: ProspectRecord, action: BulkAction, value: str | None, now: datetime) -> ProspectRecord | Outcome:
    """The changed record, or why nothing changes. `value` was checked by `check_value`."""
    stamp = now.isoformat()
    if action is BulkAction.ARCHIVE:
        return Outcome.UNCHANGED if record.archived else replace(record, archived=True, archived_at=stamp)
    if action is BulkAction.UNARCHIVE:
        return replace(record, archived=False, archived_at=None) if record.archived else Outcome.UNCHANGED
    if action is BulkAction.TAG:
        assert value is not None
        return Outcome.UNCHANGED if value in record.tags else replace(record, tags=sorted({*record.tags, value}))
    if action is BulkAction.UNTAG:
        return (
            replace(record, tags=[t for t in record.tags if t != value]) if value in record.tags else Outcome.UNCHANGED
        )
    if action is BulkAction.SET_TIER:
        # A manual tier: it holds until the prospect's next change recomputes score and tier.
        return Outcome.UNCHANGED if record.tier == value else replace(record, tier=str(value))
    if action is BulkAction.SET_STAGE:
        if record.stage == value:
            return Outcome.UNCHANGED
        try:
            check_transition(Stage(record.stage), Stage(str(value)))
        except ValidationFailed:
            return Outcome.INVALID_TRANSITION
        return patched_record(record, ProspectPatch(stage=Stage(str(value))), now=now)  # re-scores, re-tiers
    raise ValueError(f"{action} is not an update")
