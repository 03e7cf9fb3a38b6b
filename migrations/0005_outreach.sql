-- The outreach pipeline (issue 8): inboxes configured for sending, campaigns with ordered steps and variants,
-- enrollments the scheduler paces, composed emails, bulk-enrollment jobs, and a prospect's recorded legal basis.
-- campaigns, campaign_steps, enrollments and emails were declared in 0002 but no code ever wrote them: they are
-- recreated here with the columns the pipeline needs (a CHECK cannot be altered in SQLite). inboxes keeps its rows.
-- Conventions as in 0002 (32-hex ids, ISO-8601 UTC text, 0/1 booleans, json_valid JSON).

DROP TABLE IF EXISTS emails;
DROP TABLE IF EXISTS enrollments;
DROP TABLE IF EXISTS campaign_steps;
DROP TABLE IF EXISTS campaigns;

-- Sending identities: what the legal footer, threading and transports need. Credentials are secret *names*.
ALTER TABLE inboxes ADD COLUMN domain TEXT;                 -- the sending domain (after the @), lower-case
ALTER TABLE inboxes ADD COLUMN reply_to TEXT;
ALTER TABLE inboxes ADD COLUMN signature TEXT;
ALTER TABLE inboxes ADD COLUMN postal_address TEXT;         -- the sender's postal address (CAN-SPAM footer)
ALTER TABLE inboxes ADD COLUMN secret_names TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(secret_names));
ALTER TABLE inboxes ADD COLUMN warmup TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(warmup));  -- ramp, target, start
ALTER TABLE inboxes ADD COLUMN send_window TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(send_window));  -- pacing hours
ALTER TABLE inboxes ADD COLUMN dkim_selector TEXT;
ALTER TABLE inboxes ADD COLUMN status_reason TEXT;
ALTER TABLE inboxes ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE inboxes ADD COLUMN configured_at TEXT;          -- last successful push to WarmupManager / InboxHealth
CREATE INDEX idx_inboxes_created ON inboxes (created_at, id);

-- A prospect's recorded legal basis for cold email (the per-country policy reads it).
ALTER TABLE prospects ADD COLUMN legal_basis TEXT
    CHECK (legal_basis IS NULL OR legal_basis IN ('consent', 'legitimate_interest', 'existing_customer'));
ALTER TABLE prospects ADD COLUMN legal_basis_at TEXT;
ALTER TABLE prospects ADD COLUMN legal_basis_source TEXT;

CREATE TABLE campaigns (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT,
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'completed')),
    archived     INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    archived_at  TEXT,
    settings     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),  -- schedule, window, stop rules, caps
    inbox_ids    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(inbox_ids) AND json_type(inbox_ids) = 'array'),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    activated_at TEXT,
    completed_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX idx_campaigns_created ON campaigns (archived, created_at DESC, id DESC);
CREATE INDEX idx_campaigns_status ON campaigns (status, archived, created_at DESC, id DESC);

-- Ordered steps; `definition` holds the variants (template subject/body, or AI strategy/prompt) and their weights.
CREATE TABLE campaign_steps (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 1),
    delay       INTEGER NOT NULL DEFAULT 0 CHECK (delay BETWEEN 0 AND 365),
    delay_unit  TEXT NOT NULL DEFAULT 'days' CHECK (delay_unit IN ('days', 'business_days')),
    kind        TEXT NOT NULL CHECK (kind IN ('template', 'ai')),
    definition  TEXT NOT NULL CHECK (json_valid(definition)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (campaign_id, position)
);

-- One prospect in one campaign. `next_step` is the position composed next; `next_due_at` when it is due (NULL: not
-- due until something changes). The scheduler claims a due row by moving next_due_at past a lease with a fresh
-- claim_token, so a second tick never takes it again while the first one's compose is in flight.
CREATE TABLE enrollments (
    id            TEXT PRIMARY KEY,
    campaign_id   TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    prospect_id   TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    inbox_id      TEXT REFERENCES inboxes (id) ON DELETE SET NULL,   -- fixed by the first email
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed', 'stopped')),
    next_step     INTEGER NOT NULL DEFAULT 1 CHECK (next_step >= 1),
    next_due_at   TEXT,
    claim_token   TEXT,
    claimed_at    TEXT,
    resume_at     TEXT,
    pause_reason  TEXT,
    stop_reason   TEXT,
    company_key   TEXT,                                              -- for "stop for the whole company"
    last_step_at  TEXT,                                              -- when the last composed step was due
    archive_checked INTEGER NOT NULL DEFAULT 0 CHECK (archive_checked IN (0, 1)),  -- seen by the archive pass
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT,
    UNIQUE (campaign_id, prospect_id)
);
CREATE INDEX idx_enrollments_due ON enrollments (next_due_at) WHERE status = 'active' AND next_due_at IS NOT NULL;
CREATE INDEX idx_enrollments_resume ON enrollments (resume_at) WHERE status = 'paused' AND resume_at IS NOT NULL;
CREATE INDEX idx_enrollments_prospect ON enrollments (prospect_id, status);
CREATE INDEX idx_enrollments_campaign ON enrollments (campaign_id, status, id);
CREATE INDEX idx_enrollments_company ON enrollments (company_key, status) WHERE company_key IS NOT NULL;
CREATE INDEX idx_enrollments_finished ON enrollments (last_step_at) WHERE status = 'active' AND next_due_at IS NULL;
CREATE INDEX idx_enrollments_completed ON enrollments (last_step_at, id)
    WHERE status = 'completed' AND archive_checked = 0;
CREATE INDEX idx_enrollments_claimed ON enrollments (campaign_id, claimed_at) WHERE claim_token IS NOT NULL;

-- Outbound email. send_key = "<enrollment>:<step>" makes a second email for the same step impossible; message_id is
-- fixed at compose time, before any send. Bodies may be purged after the retention period (body_purged_at); the row
-- stays as the proof of what was sent to whom.
CREATE TABLE emails (
    id                TEXT PRIMARY KEY,
    prospect_id       TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    enrollment_id     TEXT REFERENCES enrollments (id) ON DELETE SET NULL,
    campaign_id       TEXT REFERENCES campaigns (id) ON DELETE SET NULL,
    step_id           TEXT REFERENCES campaign_steps (id) ON DELETE SET NULL,
    step_position     INTEGER,
    variant           TEXT,
    inbox_id          TEXT REFERENCES inboxes (id) ON DELETE SET NULL,
    send_key          TEXT NOT NULL UNIQUE,
    message_id        TEXT NOT NULL UNIQUE,
    thread_id         TEXT,                  -- the Message-ID of the thread's first email
    in_reply_to       TEXT,
    references_       TEXT,
    from_address      TEXT,
    to_address        TEXT NOT NULL,
    subject           TEXT NOT NULL,
    body_text         TEXT,
    body_html         TEXT,
    composer          TEXT,                  -- template, xai, anthropic, openai, workers_ai
    compose_notes     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(compose_notes)),  -- why providers were skipped
    reservation_token TEXT,                  -- the WarmupManager reservation the scheduler holds for this send
    reservation_until TEXT,
    status            TEXT NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('draft', 'queued', 'sending', 'sent', 'failed', 'bounced', 'cancelled')),
    provider_id       TEXT,
    error             TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    queued_at         TEXT,
    sent_at           TEXT,
    opened_at         TEXT,
    clicked_at        TEXT,
    replied_at        TEXT,
    bounced_at        TEXT,
    body_purged_at    TEXT
);
CREATE INDEX idx_emails_prospect ON emails (prospect_id, created_at DESC);
CREATE INDEX idx_emails_status ON emails (status, created_at);
CREATE INDEX idx_emails_inbox_sent ON emails (inbox_id, sent_at);
CREATE INDEX idx_emails_thread ON emails (thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX idx_emails_enrollment ON emails (enrollment_id, step_position);
CREATE INDEX idx_emails_campaign_day ON emails (campaign_id, created_at);
CREATE INDEX idx_emails_campaign_stats ON emails (campaign_id, step_position, variant, status);
CREATE INDEX idx_emails_purge ON emails (created_at) WHERE body_text IS NOT NULL;

-- Bulk enrollment by filter, in slices on the `imports` queue (one slice per invocation; idempotent slices).
CREATE TABLE enrollment_jobs (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    filter      TEXT NOT NULL CHECK (json_valid(filter)),
    state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    cursor      TEXT,                        -- the last prospect id handled (keyset)
    slices      INTEGER NOT NULL DEFAULT 0,
    matched     INTEGER NOT NULL DEFAULT 0,
    enrolled    INTEGER NOT NULL DEFAULT 0,
    refused     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(refused)),   -- reason -> count
    error       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX idx_enrollment_jobs_campaign ON enrollment_jobs (campaign_id, created_at DESC);

