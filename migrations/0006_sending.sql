-- Sending (issue 9): suppressions by address, domain and person with a source; email events (sent, opened,
-- clicked, bounced, unsubscribed, ...); daily counters the stats read; what the send consumer records per email.

-- suppressions: `person` (a prospect id: every address the person has) and the `import` reason are new, and each row
-- says who added it and whether an unsubscribe was overridden. A CHECK cannot be altered: the table is rebuilt.
CREATE TABLE suppressions_new (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'domain', 'person')),
    value       TEXT NOT NULL,                  -- normalised address, domain, or prospect id
    reason      TEXT NOT NULL CHECK (reason IN ('unsubscribe', 'hard_bounce', 'complaint', 'manual', 'policy', 'import')),
    source      TEXT,                           -- e.g. "one-click", "smtp 550 5.1.1", "csv suppressions.csv", a key id
    note        TEXT,
    created_by  TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (kind, value)
);
INSERT INTO suppressions_new (id, kind, value, reason, source, created_at)
SELECT id, kind, value, reason, source, created_at FROM suppressions;
DROP TABLE suppressions;
ALTER TABLE suppressions_new RENAME TO suppressions;
CREATE INDEX idx_suppressions_created ON suppressions (created_at DESC, id DESC);

-- What the send consumer records on the email it sends.
ALTER TABLE emails ADD COLUMN transport TEXT;            -- the transport kind that carried it
ALTER TABLE emails ADD COLUMN sending_at TEXT;           -- when the transport call started (reconciliation)
ALTER TABLE emails ADD COLUMN retry_at TEXT;             -- a queued email waiting for a later attempt
ALTER TABLE emails ADD COLUMN last_outcome TEXT;
ALTER TABLE emails ADD COLUMN reserved_at TEXT;          -- when the scheduler's reservation was taken (its hour)         -- accepted, transient, recipient_refused, sender_problem, ...
CREATE INDEX idx_emails_retry ON emails (retry_at) WHERE status = 'queued' AND retry_at IS NOT NULL;
CREATE INDEX idx_emails_queued ON emails (queued_at) WHERE status IN ('queued', 'sending');
CREATE INDEX idx_emails_list ON emails (created_at DESC, id DESC);
CREATE INDEX idx_emails_campaign_list ON emails (campaign_id, created_at DESC, id DESC);
CREATE INDEX idx_emails_inbox_list ON emails (inbox_id, created_at DESC, id DESC);
CREATE INDEX idx_emails_prospect_list ON emails (prospect_id, created_at DESC, id DESC);

CREATE TABLE email_events (
    id         TEXT PRIMARY KEY,
    email_id   TEXT NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('queued', 'sent', 'failed', 'retry', 'bounced', 'cancelled', 'opened',
                                             'clicked', 'unsubscribed', 'replied', 'complained')),
    automated  INTEGER NOT NULL DEFAULT 0 CHECK (automated IN (0, 1)),  -- a scanner or prefetch, probably
    detail     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    at         TEXT NOT NULL
);
CREATE INDEX idx_email_events_email ON email_events (email_id, at);

-- Daily counters per campaign, step, variant and inbox (UTC day), kept by the `events` consumer.
CREATE TABLE daily_counters (
    day           TEXT NOT NULL,
    campaign_id   TEXT NOT NULL DEFAULT '',
    step_position INTEGER NOT NULL DEFAULT 0,
    variant       TEXT NOT NULL DEFAULT '',
    inbox_id      TEXT NOT NULL DEFAULT '',
    metric        TEXT NOT NULL,
    count         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, campaign_id, step_position, variant, inbox_id, metric)
) WITHOUT ROWID;
CREATE INDEX idx_daily_counters_campaign ON daily_counters (campaign_id, day);
CREATE INDEX idx_daily_counters_inbox ON daily_counters (inbox_id, day);

-- The nightly integrity job drops consumer idempotency keys older than a week.
CREATE INDEX idx_processed_messages_at ON processed_messages (processed_at);
