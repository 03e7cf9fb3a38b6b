"""The weekly maintenance the daily cron runs on Sundays (UTC): complete, archive, purge — in bounded passes.

- complete enrollments whose last step was composed more than `complete_after_days` ago (nothing left to send), and
  the open enrollments of completed campaigns;
- archive prospects with no reply `archive_after_days` after their last step (no other campaign holds them); each
  completed enrollment is looked at once, so a missed week leaves nothing behind;
- purge email bodies older than `email_retention_days`, keeping each row (who, when, which Message-ID and subject):
  the proof of what was sent to whom outlives the text.

Each pass is one guarded statement over at most PASS_LIMIT rows, repeated up to MAX_PASSES times, so one invocation
stays within D1's per-invocation query budget; what is left is done next week (or by the next run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PASS_LIMIT = 500
MAX_PASSES = 20
SUNDAY = 6


async def _repeat(step: Any, *args: Any) -> int:
    total = 0
    for _ in range(MAX_PASSES):
        done = int(await step(*args, PASS_LIMIT))
        total += done
        if done < PASS_LIMIT:
            break
    return total


async def _archive(enrollments: Any, before: datetime, now: datetime) -> int:
    archived = 0
    for _ in range(MAX_PASSES):
        done, examined = await enrollments.archive_unresponsive(before, now, PASS_LIMIT)
        archived += done
        if examined < PASS_LIMIT:
            break
    return archived


@dataclass(frozen=True)
class WeeklyMaintenance:
    enrollments: Any  # D1EnrollmentRepository
    settings: Any  # shared.config.Settings

    def due(self, at: datetime) -> bool:
        return at.weekday() == SUNDAY

    async def run(self, now: datetime) -> dict[str, int]:
        s, e = self.settings, self.enrollments
        return {
            "completed": await _repeat(e.complete_finished, now - timedelta(days=s.complete_after_days), now),
            "archived": await _archive(e, now - timedelta(days=s.archive_after_days), now),
            "bodies_purged": await _repeat(e.purge_bodies, now - timedelta(days=s.email_retention_days), now),
        }
