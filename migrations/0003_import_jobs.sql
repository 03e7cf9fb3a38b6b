-- Background CSV imports (docs/decisions/0013): the job, its staged records in chunks, and its row-numbered
-- errors and warnings. Plus the index that makes the importer's lookup of archived holders of an email a seek.

-- The unique email index covers live prospects only (archived = 0); archived holders get their own, small index.
CREATE INDEX idx_prospects_email_archived ON prospects (email_normalized)
    WHERE email_normalized IS NOT NULL AND archived = 1;

CREATE TABLE import_jobs (
    id              TEXT PRIMARY KEY,
    state           TEXT NOT NULL DEFAULT 'staging'
                    CHECK (state IN ('staging', 'queued', 'running', 'done', 'failed', 'cancelled')),
    lead_source     TEXT NOT NULL,
    actor           TEXT,
    filename        TEXT,
    encoding        TEXT,
    delimiter       TEXT NOT NULL DEFAULT ',',
    header          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(header)),   -- the header row's cells
    bytes_total     INTEGER NOT NULL DEFAULT 0,
    chunks_total    INTEGER NOT NULL DEFAULT 0,
    rows_total      INTEGER NOT NULL DEFAULT 0,      -- data rows found while staging (blank lines excluded)
    rows_done       INTEGER NOT NULL DEFAULT 0,
    -- Where the next slice starts: chunk `cursor_chunk`, after row number `cursor_row` (0: its first row).
    cursor_chunk    INTEGER NOT NULL DEFAULT 0,
    cursor_row      INTEGER NOT NULL DEFAULT 0,
    created         INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    duplicates      INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    errors_count    INTEGER NOT NULL DEFAULT 0,
    warnings_count  INTEGER NOT NULL DEFAULT 0,
    failure         TEXT,                            -- why the job failed, for state = 'failed'
    -- A slice's commit sets this to 1 when the job is no longer where that slice started (a redelivered or stale
    -- slice, a cancelled job): the CHECK then fails the whole batch, so nothing of that slice is written.
    slice_guard     INTEGER NOT NULL DEFAULT 0 CHECK (slice_guard = 0),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX idx_import_jobs_created ON import_jobs (created_at DESC, id DESC);
-- The stale-job sweep (hourly) pages live jobs oldest first; ended jobs, the vast majority, are not in it.
CREATE INDEX idx_import_jobs_live ON import_jobs (updated_at, id) WHERE state IN ('staging', 'queued', 'running');

-- The file's data records, already split (quote-aware) while staging: each chunk a JSON array of records, so a
-- slice never starts inside a row.
CREATE TABLE import_job_chunks (
    job_id  TEXT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL CHECK (seq >= 0),
    records TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE import_job_issues (
    job_id  TEXT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('error', 'warning')),
    row     INTEGER NOT NULL,
    n       INTEGER NOT NULL,                        -- the issue's place among its row's issues of this kind
    field   TEXT,
    message TEXT NOT NULL,
    PRIMARY KEY (job_id, kind, row, n)
) WITHOUT ROWID;
