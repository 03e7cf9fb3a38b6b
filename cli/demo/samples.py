"""The demo's data: the lead file (the sample CSV, a few offline-World hotels without website or address, and this
run's cast of four) and the replies built from the sample .eml files around the real Message-IDs of sent emails.

The samples ship with the CLI in `cli/demo/data/` (the project's sample CSV and four inbound emails;
`JENGU_SAMPLES_DIR` points at another folder of the same layout). The cast are four people
at The Harbour Inn (Ireland: cold B2B email needs no recorded consent; a catch-all domain, so any address is
deliverable); their names change with the run number, so a rerun on the same database always has four fresh
recipients for the four replies (the import deduplicates on company + name).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from cli.client import EXIT_USAGE, CliError

TAG = "jengu-demo"
LEAD_SOURCE = "jengu_demo"
INBOX = "demo@jengu-demo.test"
CAST_DOMAIN = "harbourinn.example"
# Offline-World hotels (local/fakes/world.json) given with neither website nor address: enrichment's work.
WORLD_LEADS = (
    ("Maria", "Huber", "Direktorin", "Alpenrose Chalet Hotel", "Innsbruck, Austria"),
    ("Ana", "Costa", "Gerente", "Casa do Rio", "Porto, Portugal"),
    ("Tom", "Reed", "Manager", "Seaside Lodge", "Brighton, United Kingdom"),
)
FIRST = ("Niamh", "Conor", "Aoife", "Cian", "Siobhan", "Eoin", "Roisin", "Darragh", "Orla", "Padraig")
LAST = ("Byrne", "Walsh", "Murphy", "Kelly", "Doyle", "Ryan", "Nolan", "Quinn", "Lynch", "Brennan")
# What each cast member sends back, in cast order: (sample file, what it is).
REPLIES = (
    ("reply_interested.eml", "interested reply"),
    ("out_of_office.eml", "out-of-office"),
    ("bounce_user_unknown.eml", "hard bounce"),
    ("reply_unsubscribe.eml", "unsubscribe"),
)
BOUNCER = "MAILER-DAEMON@smtp.outbound.example"


@dataclass(frozen=True, slots=True)
class Person:
    first_name: str
    last_name: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def samples_dir(env: Mapping[str, str]) -> Path:
    chosen = (
        Path(env["JENGU_SAMPLES_DIR"]) if env.get("JENGU_SAMPLES_DIR") else Path(__file__).resolve().parent / "data"
    )
    if not (chosen / "csv" / "prospects_sample.csv").is_file() or not (chosen / "inbound").is_dir():
        raise CliError("no_samples", f"the sample data is not in {chosen} (set JENGU_SAMPLES_DIR to the folder holding "
                       "csv/prospects_sample.csv and inbound/*.eml)", EXIT_USAGE)  # fmt: skip
    return chosen


def cast(run: int) -> list[Person]:
    """Four people no earlier run used (unique for the first len(FIRST) * len(LAST) / 4 runs)."""
    people = []
    for i in range(len(REPLIES)):
        k = 4 * (run - 1) + i
        first, last = FIRST[k % len(FIRST)], LAST[(k // len(FIRST) + k) % len(LAST)]
        people.append(Person(first, last, f"{first}.{last}@{CAST_DOMAIN}".lower()))
    return people


def lead_file(samples: Path, run: int) -> bytes:
    """The sample CSV with a `tags` column, the World leads and this run's cast, as one UTF-8 CSV."""
    with (samples / "csv" / "prospects_sample.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = ["first_name", "last_name", "job_title", "company_name", "company_website", "email", "location", "tags"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "tags": TAG})
    for first, last, title, hotel, location in WORLD_LEADS:
        writer.writerow({"first_name": first, "last_name": last, "job_title": title, "company_name": hotel,
                         "location": location, "tags": TAG})  # fmt: skip
    for person in cast(run):
        writer.writerow({"first_name": person.first_name, "last_name": person.last_name, "job_title": "Manager",
                         "company_name": "The Harbour Inn", "company_website": CAST_DOMAIN, "email": person.email,
                         "location": "Cork, Ireland", "tags": TAG})  # fmt: skip
    return buffer.getvalue().encode("utf-8")


def reply(samples: Path, name: str, *, run: int, inbox: str, person: Person, message_id: str, subject: str,
          sent_at: datetime) -> bytes:  # fmt: skip
    """A sample .eml answering the email with `message_id`: its placeholders filled, its own Message-ID unique to
    this run (the inbound store keeps one message per Message-ID), an out-of-office's return a week after the send."""
    text = (samples / "inbound" / name).read_text(encoding="utf-8")
    values = {"TO": inbox, "FROM": person.email, "MSGID": message_id, "SUBJECT": subject,
              "DATE": format_datetime(sent_at + timedelta(minutes=30))}  # fmt: skip
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    text = re.sub(r"^Message-ID: <([^@>]+)@", rf"Message-ID: <jengu-demo-{run}-\1@", text, count=1, flags=re.M)
    back = sent_at + timedelta(days=7)
    text = re.sub(r"until \d{1,2} [A-Z][a-z]+ \d{4}", f"until {back.day} {back:%B %Y}", text, count=1)
    text = re.sub(r"^From: [^<\n]*<", f"From: {person.name} <", text, count=1, flags=re.M) if "MAILER" not in text \
        else text  # fmt: skip
    return text.encode("utf-8")
