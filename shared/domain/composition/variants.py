"""A/B variants of a step: weights are checked when the step is saved, and the variant of an enrollment is chosen
deterministically from (enrollment id, step), so a retry, a redelivery or a second tick never switches it.

sha256("<enrollment_id>:<step>") -> a number in [0, 1) -> the variant whose cumulative share (weights in key order,
so reordering the list changes nothing) covers it. A weight of 0 is never chosen; weights need not sum to 1.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_VARIANTS = 26
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class VariantWeight:
    key: str
    weight: float


def check_weights(weights: Sequence[VariantWeight]) -> None:
    """ValueError unless there are 1..26 variants with distinct keys ([A-Za-z0-9_-], up to 40) and finite,
    non-negative weights of which at least one is positive."""
    if not weights:
        raise ValueError("a step needs at least one variant")
    if len(weights) > MAX_VARIANTS:
        raise ValueError(f"{len(weights)} variants; at most {MAX_VARIANTS}")
    seen: set[str] = set()
    for variant in weights:
        if not _KEY.match(variant.key):
            raise ValueError(f"variant key {variant.key!r} must be 1-40 letters, digits, '_' or '-'")
        if variant.key in seen:
            raise ValueError(f"variant key {variant.key!r} appears twice")
        seen.add(variant.key)
        weight = variant.weight
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
            raise ValueError(f"variant {variant.key!r} has weight {weight!r}; weights are finite numbers")
        if weight < 0:
            raise ValueError(f"variant {variant.key!r} has a negative weight")
    if not any(v.weight > 0 for v in weights):
        raise ValueError("every variant has weight 0; at least one must be positive")


def unit_interval(enrollment_id: str, step: int) -> float:
    """The enrollment's fixed point in [0, 1) for this step (53 bits of sha256)."""
    digest = hashlib.sha256(f"{enrollment_id}:{step}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) / float(1 << 53)


def choose_variant(weights: Sequence[VariantWeight], *, enrollment_id: str, step: int) -> str:
    """The key of the variant this enrollment gets at this step (ValueError for weights check_weights refuses)."""
    check_weights(weights)
    ordered = sorted(weights, key=lambda v: v.key)
    total = math.fsum(v.weight for v in ordered)
    point = unit_interval(enrollment_id, step) * total
    running = 0.0
    for variant in ordered:
        running += variant.weight
        if variant.weight > 0 and point < running:
            return variant.key
    return next(v.key for v in reversed(ordered) if v.weight > 0)  # rounding at the very top of the interval
