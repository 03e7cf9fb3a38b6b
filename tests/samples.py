"""Where the sample CSVs and inbound emails live: `../shared/samples/` beside the repo (as on CI)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = Path(os.environ.get("JENGU_SAMPLES_DIR", REPO_ROOT.parent / "shared" / "samples"))
INBOUND_SAMPLES = SAMPLES_DIR / "inbound"
CSV_SAMPLES = SAMPLES_DIR / "csv"


def inbound_sample(name: str, **placeholders: str) -> bytes:
    """A sample .eml with its `{{PLACEHOLDER}}`s substituted."""
    text = (INBOUND_SAMPLES / name).read_text()
    for key, value in placeholders.items():
        text = text.replace("{{" + key + "}}", value)
    return text.encode()


# The interested reply both e2e email tests deliver (to our sales inbox, in reply to a message we sent).
INTERESTED_REPLY = inbound_sample(
    "reply_interested.eml",
    TO="sales@jengu.test",
    FROM="gm@grand-hotel.example",
    MSGID="<orig-1@jengu.test>",
    SUBJECT="Quick question",
    DATE="Mon, 05 Jan 2026 09:00:00 +0000",
)
