"""Inbound classification speed: messages parsed and classified per second (parse_message + the verdict order) over
the test corpora (bounces, auto-replies, replies), beside the stdlib parser alone on the same bytes (the baseline)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ("bounces", "auto_replies", "replies")
ROUNDS = 5


def run(figure: Callable[[str], None]) -> None:
    from shared.domain.inbound_mail.parse import parse_message
    from shared.domain.inbound_mail.verdict import decide

    messages = [p.read_bytes() for c in CORPORA for p in sorted((ROOT / "tests" / "fixtures" / c).glob("*.eml"))]
    if not messages:
        figure("inbound: no corpus found")
        return
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for raw in messages:
            decide(parse_message(raw), received=date(2026, 12, 1))
    ours = len(messages) * ROUNDS / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for raw in messages:
            message_from_bytes(raw, policy=policy.default).get_body()
    raw_rate = len(messages) * ROUNDS / (time.perf_counter() - started)
    figure(f"inbound: {ours:7.0f} messages/s parsed and classified ({len(messages)} corpus messages x {ROUNDS}); "
           f"stdlib parse alone {raw_rate:7.0f}/s (ratio {ours / raw_rate:.2f})")  # fmt: skip
