"""Named SQL for background CSV imports (`import_jobs`, their staged chunks and their issues; migrations/0003)."""

from __future__ import annotations

JOB_COLUMNS = (
    "id", "state", "lead_source", "actor", "filename", "encoding", "delimiter", "header", "bytes_total",
    "chunks_total", "rows_total", "rows_done", "cursor_chunk", "cursor_row", "created", "updated", "duplicates",
    "skipped", "errors_count", "warnings_count", "failure", "created_at", "updated_at", "finished_at",
)  # fmt: skip
_SELECT_JOB = f"SELECT {', '.join(JOB_COLUMNS)} FROM import_jobs"
LIVE_STATES = "('staging', 'queued', 'running')"

INSERT_JOB = """
INSERT INTO import_jobs (id, state, lead_source, actor, filename, created_at, updated_at)
VALUES (?, 'staging', ?, ?, ?, ?, ?)
"""
# The records bound as UTF-8 bytes (client.bound_text), stored as TEXT.
INSERT_CHUNK = "INSERT INTO import_job_chunks (job_id, seq, records) VALUES (?, ?, CAST(? AS TEXT))"
FINISH_STAGING = """
UPDATE import_jobs SET state = 'queued', encoding = ?, delimiter = ?, header = ?, bytes_total = ?, chunks_total = ?,
    rows_total = ?, updated_at = ?
WHERE id = ? AND state = 'staging'
"""
GET_JOB = f"{_SELECT_JOB} WHERE id = ?"
GET_CHUNK = "SELECT records FROM import_job_chunks WHERE job_id = ? AND seq = ?"
# A slice's one read: the job, and the chunk at its cursor.
GET_JOB_AND_CHUNK = (
    f"SELECT {', '.join(JOB_COLUMNS)}, (SELECT c.records FROM import_job_chunks AS c "
    "WHERE c.job_id = import_jobs.id AND c.seq = import_jobs.cursor_chunk) AS records FROM import_jobs WHERE id = ?"
)
LIST_JOBS_FIRST = f"{_SELECT_JOB} ORDER BY created_at DESC, id DESC LIMIT ?"
LIST_JOBS_AFTER = f"{_SELECT_JOB} WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?"
LIST_ISSUES = """
SELECT row, field, message FROM import_job_issues WHERE job_id = ? AND kind = ? ORDER BY row, n LIMIT ?
"""
# ?1 the job, ?2 a JSON array of [kind, row, n, field, message] (text or its UTF-8 bytes).
INSERT_ISSUES_JSON = """
INSERT OR IGNORE INTO import_job_issues (job_id, kind, row, n, field, message)
SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4
FROM json_each(CAST(?2 AS TEXT)) AS j
"""

# One slice's bookkeeping, the last statement of the slice's batch. If the job is no longer where the slice started
# (?2, ?3) or no longer live, slice_guard becomes 1, its CHECK fails, and the whole batch is rolled back.
# ?9 is a JSON array of [prospect id, write token] for the slice's updates: those whose token is on the row now won
# their version guard (updated); the others lost to a concurrent change (duplicates, left as that writer left them).
_WON_UPDATES = (
    "(SELECT count(*) FROM json_each(?9) AS t JOIN prospects AS p ON p.id = t.value ->> 0 "
    "AND p.write_token = t.value ->> 1)"
)
COMMIT_SLICE = f"""
UPDATE import_jobs SET
    slice_guard = CASE WHEN cursor_chunk = ?2 AND cursor_row = ?3 AND state IN ('queued', 'running') THEN 0 ELSE 1 END,
    cursor_chunk = ?4, cursor_row = ?5, state = ?6,
    rows_done = rows_done + ?7, created = created + ?8,
    updated = updated + {_WON_UPDATES},
    duplicates = duplicates + ?10 + json_array_length(?9) - {_WON_UPDATES},
    skipped = skipped + ?11, errors_count = errors_count + ?12, warnings_count = warnings_count + ?13,
    updated_at = ?14, finished_at = ?15
WHERE id = ?1
"""
DELETE_CHUNKS = "DELETE FROM import_job_chunks WHERE job_id = ?"
END_JOB = f"""
UPDATE import_jobs SET state = ?, failure = ?, updated_at = ?, finished_at = ? WHERE id = ? AND state IN {LIVE_STATES}
"""

# The sweeper (shared/service_layer/import_job_sweeper.py, decision 0013 "Stale jobs"): live jobs whose last
# progress (updated_at) is before ?1 (staging) or ?2 (queued, running), oldest first, after the keyset (?3, ?4).
# It reads the whole of import_jobs (one small row per upload; no index on state), once an hour.
STALE_JOBS = f"""
{_SELECT_JOB}
WHERE state IN ('staging', 'queued', 'running')  -- implies idx_import_jobs_live's condition: a seek on live jobs
    AND ((state = 'staging' AND updated_at < ?1) OR (state IN ('queued', 'running') AND updated_at < ?2))
    AND (updated_at, id) > (?3, ?4)
ORDER BY updated_at, id LIMIT ?5
"""
# Fails a stale job only while it is exactly as the sweeper read it (state, cursor, updated_at): a slice that
# committed meanwhile moved the cursor, so this changes nothing; if this wins, that slice's COMMIT_SLICE finds the
# job no longer live and its whole batch is rolled back.
FAIL_STALE_JOB = """
UPDATE import_jobs SET state = 'failed', failure = ?1, updated_at = ?2, finished_at = ?2
WHERE id = ?3 AND state = ?4 AND updated_at = ?5 AND cursor_chunk = ?6 AND cursor_row = ?7
"""
# The chunks of a job that is no longer live (after FAIL_STALE_JOB in the same batch; nothing while it is live).
DELETE_ENDED_CHUNKS = f"""
DELETE FROM import_job_chunks
WHERE job_id = ?1 AND NOT EXISTS (SELECT 1 FROM import_jobs WHERE id = ?1 AND state IN {LIVE_STATES})
"""

# For tests/integration/test_query_plans.py: every lookup here must be an index seek.
PLANNED_QUERIES: dict[str, tuple[str, tuple[object, ...]]] = {
    "import job by id": (GET_JOB, ("j",)),
    "import job chunk": (GET_CHUNK, ("j", 0)),
    "import job and its chunk": (GET_JOB_AND_CHUNK, ("j",)),
    "import jobs first page": (LIST_JOBS_FIRST, (20,)),
    "import jobs after": (LIST_JOBS_AFTER, ("2026-01-01", "j", 20)),
    "import job issues": (LIST_ISSUES, ("j", "error", 100)),
    "import job slice commit": (COMMIT_SLICE, ("j", 0, 0, 0, 9, "running", 8, 7, '[["p","t"]]', 0, 0, 0, 0, "n", None)),
    "import job chunks delete": (DELETE_CHUNKS, ("j",)),
    "import job stale fail": (FAIL_STALE_JOB, ("f", "n", "j", "running", "u", 0, 0)),
    "import job ended chunks delete": (DELETE_ENDED_CHUNKS, ("j",)),
    "import jobs stale": (STALE_JOBS, ("a", "b", "", "", 50)),
}
