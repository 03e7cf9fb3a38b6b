-- Platform tables: dead-lettered tasks and raw inbound email. Applied by `wrangler d1 migrations apply`
-- in production and by the local runtime (same files, same d1_migrations bookkeeping).

-- Tasks that exhausted their retries or could never succeed (undecodable, permanent errors).
-- id is the dead message's id, so the dlq consumer can be redelivered without storing a task twice.
CREATE TABLE failed_tasks (
    id          TEXT PRIMARY KEY,
    queue       TEXT NOT NULL,
    type        TEXT,
    version     INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  TEXT NOT NULL,
    payload     TEXT CHECK (payload IS NULL OR json_valid(payload)),
    raw_body    TEXT,
    trace_id    TEXT,
    failed_at   TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
    resolved_at TEXT
) STRICT;
CREATE INDEX idx_failed_tasks_status_failed_at ON failed_tasks (status, failed_at DESC);
CREATE INDEX idx_failed_tasks_queue_failed_at ON failed_tasks (queue, failed_at DESC);

-- Every email Email Routing hands us, stored before anything else happens to it.
-- The same bytes to the same recipient (a redelivery after a temporary failure) are one row.
CREATE TABLE inbound_messages (
    id           TEXT PRIMARY KEY,
    received_at  TEXT NOT NULL,
    mail_from    TEXT NOT NULL,
    rcpt_to      TEXT NOT NULL,
    raw_size     INTEGER NOT NULL CHECK (raw_size >= 0),
    raw_sha256   TEXT NOT NULL,
    raw_chunks   INTEGER NOT NULL CHECK (raw_chunks >= 0),
    message_id   TEXT,
    in_reply_to  TEXT,
    subject      TEXT,
    status       TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'parsed', 'processed', 'failed')),
    trace_id     TEXT,
    processed_at TEXT
) STRICT;
CREATE UNIQUE INDEX uq_inbound_messages_sha_rcpt ON inbound_messages (raw_sha256, rcpt_to);
CREATE INDEX idx_inbound_messages_message_id ON inbound_messages (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX idx_inbound_messages_status_received ON inbound_messages (status, received_at);

-- Raw bytes, base64 in chunks: D1 rows are capped (1-2 MB) and inbound mail may be 25 MiB.
CREATE TABLE inbound_message_chunks (
    inbound_id TEXT NOT NULL REFERENCES inbound_messages (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    data       TEXT NOT NULL,
    PRIMARY KEY (inbound_id, seq)
) STRICT, WITHOUT ROWID;
