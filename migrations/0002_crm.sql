-- The CRM: prospects and their timeline, campaigns and sequences, inboxes, outbound emails, suppressions,
-- notifications, settings and API keys. Later issues add columns, not redesigns.
-- Conventions: ids are 32-hex TEXT; timestamps are ISO-8601 UTC TEXT; booleans are INTEGER 0/1; JSON is TEXT
-- checked with json_valid; every list filter and sort has an index; children that mean nothing alone cascade.

CREATE TABLE prospects (
    id                  TEXT PRIMARY KEY,
    first_name          TEXT,
    last_name           TEXT,
    contact_name        TEXT,                    -- "First Last", what people search for
    sort_name           TEXT NOT NULL DEFAULT '',-- lower-cased name used for ordering
    job_title           TEXT,
    email               TEXT,
    email_normalized    TEXT,                    -- lower-cased, trimmed: the uniqueness key
    email_status        TEXT NOT NULL DEFAULT 'unknown'
                        CHECK (email_status IN ('unknown', 'valid', 'risky', 'invalid', 'bounced')),
    email_is_role       INTEGER NOT NULL DEFAULT 0 CHECK (email_is_role IN (0, 1)),
    phone               TEXT,
    linkedin_url        TEXT,
    linkedin_normalized TEXT,                    -- linkedin.com/in/<slug>
    company_name        TEXT,
    company_normalized  TEXT,
    property_name       TEXT,
    property_type       TEXT,
    rooms               INTEGER CHECK (rooms IS NULL OR rooms >= 0),
    website             TEXT,
    domain              TEXT,
    city                TEXT,
    region              TEXT,
    country             TEXT CHECK (country IS NULL OR length(country) = 2),   -- ISO 3166-1 alpha-2
    timezone            TEXT,                    -- IANA name
    stage               TEXT NOT NULL DEFAULT 'new'
                        CHECK (stage IN ('new', 'enriched', 'ready', 'contacted', 'engaged', 'meeting', 'won', 'lost')),
    tier                TEXT NOT NULL DEFAULT 'cold' CHECK (tier IN ('hot', 'warm', 'cold')),
    score               INTEGER NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
    tags                TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    lead_source         TEXT,
    notes               TEXT,
    person_key          TEXT,                    -- normalised company + person, for duplicate detection
    archived            INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    archived_at         TEXT,
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    write_token         TEXT,                    -- id of the last write: lets a batch's later statements see it won
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    last_contacted_at   TEXT
);
-- One live prospect per address; an archived duplicate may remain for history.
CREATE UNIQUE INDEX uq_prospects_email ON prospects (email_normalized)
    WHERE email_normalized IS NOT NULL AND archived = 0;
CREATE UNIQUE INDEX uq_prospects_linkedin ON prospects (linkedin_normalized) WHERE linkedin_normalized IS NOT NULL;
CREATE INDEX idx_prospects_person_key ON prospects (person_key) WHERE person_key IS NOT NULL;
-- Sort orders: walked in order with `archived` as a residual filter (most rows are live, pages stop early), so
-- the same index serves archived=false, true and all.
CREATE INDEX idx_prospects_score ON prospects (score DESC, id DESC);
CREATE INDEX idx_prospects_name ON prospects (sort_name, id);
CREATE INDEX idx_prospects_created ON prospects (created_at DESC, id DESC);
CREATE INDEX idx_prospects_contacted ON prospects (ifnull(last_contacted_at, ''), id);
CREATE INDEX idx_prospects_stage ON prospects (stage, archived, score DESC, id DESC);
CREATE INDEX idx_prospects_tier ON prospects (tier, archived, score DESC, id DESC);
CREATE INDEX idx_prospects_country ON prospects (country, archived, score DESC, id DESC);
CREATE INDEX idx_prospects_email_status ON prospects (email_status, archived, score DESC, id DESC);
CREATE INDEX idx_prospects_domain ON prospects (domain) WHERE domain IS NOT NULL;

-- Tags as rows too, so "tag = x" is an index seek; kept in step with prospects.tags in the same batch.
CREATE TABLE prospect_tags (
    tag         TEXT NOT NULL,
    prospect_id TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, prospect_id)
) WITHOUT ROWID;
CREATE INDEX idx_prospect_tags_prospect ON prospect_tags (prospect_id);

-- Full-text search over the names people type: contact, company, property, city, email.
CREATE VIRTUAL TABLE prospects_fts USING fts5 (
    contact_name, company_name, property_name, city, email,
    content = 'prospects', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER prospects_fts_insert AFTER INSERT ON prospects BEGIN
    INSERT INTO prospects_fts (rowid, contact_name, company_name, property_name, city, email)
    VALUES (new.rowid, new.contact_name, new.company_name, new.property_name, new.city, new.email);
END;
CREATE TRIGGER prospects_fts_delete AFTER DELETE ON prospects BEGIN
    INSERT INTO prospects_fts (prospects_fts, rowid, contact_name, company_name, property_name, city, email)
    VALUES ('delete', old.rowid, old.contact_name, old.company_name, old.property_name, old.city, old.email);
END;
CREATE TRIGGER prospects_fts_update AFTER UPDATE OF contact_name, company_name, property_name, city, email
ON prospects BEGIN
    INSERT INTO prospects_fts (prospects_fts, rowid, contact_name, company_name, property_name, city, email)
    VALUES ('delete', old.rowid, old.contact_name, old.company_name, old.property_name, old.city, old.email);
    INSERT INTO prospects_fts (rowid, contact_name, company_name, property_name, city, email)
    VALUES (new.rowid, new.contact_name, new.company_name, new.property_name, new.city, new.email);
END;

-- The timeline: everything that happened to a prospect.
CREATE TABLE activities (
    id          TEXT PRIMARY KEY,
    prospect_id TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,                  -- created, updated, imported, stage_changed, email_sent, reply, ...
    summary     TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
    actor       TEXT,                           -- api key id, 'system', a consumer
    occurred_at TEXT NOT NULL
);
CREATE INDEX idx_activities_prospect ON activities (prospect_id, occurred_at DESC, id DESC);
CREATE INDEX idx_activities_type ON activities (type, occurred_at DESC);

-- Sending identities.
CREATE TABLE inboxes (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    display_name     TEXT,
    transport        TEXT NOT NULL DEFAULT 'cloudflare'
                     CHECK (transport IN ('cloudflare', 'smtp', 'graph', 'resend', 'local')),
    transport_config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(transport_config)),  -- never secrets
    timezone         TEXT NOT NULL DEFAULT 'UTC',
    daily_cap        INTEGER NOT NULL DEFAULT 20 CHECK (daily_cap >= 0),
    hourly_cap       INTEGER NOT NULL DEFAULT 5 CHECK (hourly_cap >= 0),
    warmup_enabled   INTEGER NOT NULL DEFAULT 1 CHECK (warmup_enabled IN (0, 1)),
    warmup_start     TEXT,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'archived')),
    settings    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),   -- send window, stop rules, policy
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX idx_campaigns_status ON campaigns (status, created_at DESC);

CREATE TABLE campaign_steps (
    id            TEXT PRIMARY KEY,
    campaign_id   TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 1),
    delay_minutes INTEGER NOT NULL DEFAULT 0 CHECK (delay_minutes >= 0),
    kind          TEXT NOT NULL DEFAULT 'template' CHECK (kind IN ('template', 'ai')),
    subject       TEXT,
    body          TEXT,
    strategy      TEXT,
    variants      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(variants)),
    created_at    TEXT NOT NULL,
    UNIQUE (campaign_id, position)
);

CREATE TABLE enrollments (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    prospect_id  TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    inbox_id     TEXT REFERENCES inboxes (id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'paused', 'completed', 'stopped')),
    current_step INTEGER NOT NULL DEFAULT 0 CHECK (current_step >= 0),
    next_due_at  TEXT,
    paused_until TEXT,
    stop_reason  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (campaign_id, prospect_id)
);
CREATE INDEX idx_enrollments_due ON enrollments (status, next_due_at) WHERE status = 'active';
CREATE INDEX idx_enrollments_prospect ON enrollments (prospect_id, campaign_id);
CREATE INDEX idx_enrollments_campaign ON enrollments (campaign_id, status);

-- Outbound email. send_key = "<enrollment>:<step>" makes a second send of the same step impossible.
CREATE TABLE emails (
    id            TEXT PRIMARY KEY,
    prospect_id   TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    enrollment_id TEXT REFERENCES enrollments (id) ON DELETE SET NULL,
    campaign_id   TEXT REFERENCES campaigns (id) ON DELETE SET NULL,
    step_id       TEXT REFERENCES campaign_steps (id) ON DELETE SET NULL,
    inbox_id      TEXT REFERENCES inboxes (id) ON DELETE SET NULL,
    send_key      TEXT NOT NULL UNIQUE,
    message_id    TEXT NOT NULL UNIQUE,         -- fixed at compose time, before sending
    thread_id     TEXT,
    in_reply_to   TEXT,
    references_   TEXT,
    to_address    TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    body_html     TEXT,
    status        TEXT NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'queued', 'sending', 'sent', 'failed', 'bounced', 'cancelled')),
    error         TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    queued_at     TEXT,
    sent_at       TEXT,
    opened_at     TEXT,
    clicked_at    TEXT,
    replied_at    TEXT
);
CREATE INDEX idx_emails_prospect ON emails (prospect_id, created_at DESC);
CREATE INDEX idx_emails_status ON emails (status, created_at);
CREATE INDEX idx_emails_inbox_sent ON emails (inbox_id, sent_at);
CREATE INDEX idx_emails_thread ON emails (thread_id) WHERE thread_id IS NOT NULL;

-- Inbound mail gets matched to a prospect and one of our emails, and classified.
ALTER TABLE inbound_messages ADD COLUMN prospect_id TEXT REFERENCES prospects (id) ON DELETE SET NULL;
ALTER TABLE inbound_messages ADD COLUMN email_id TEXT REFERENCES emails (id) ON DELETE SET NULL;
ALTER TABLE inbound_messages ADD COLUMN classification TEXT;
ALTER TABLE inbound_messages ADD COLUMN intent TEXT;
CREATE INDEX idx_inbound_messages_prospect ON inbound_messages (prospect_id, received_at DESC)
    WHERE prospect_id IS NOT NULL;

-- Never mail these: an address or a whole domain.
CREATE TABLE suppressions (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'domain')),
    value      TEXT NOT NULL,                  -- normalised address or domain
    reason     TEXT NOT NULL CHECK (reason IN ('unsubscribe', 'hard_bounce', 'complaint', 'manual', 'policy')),
    source     TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (kind, value)
);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('slack', 'discord', 'webhook', 'email')),
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX idx_notifications_pending ON notifications (status, created_at) WHERE status = 'pending';

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL CHECK (json_valid(value)),
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- API keys are stored as SHA-256 of the key; the key itself is shown once, at creation.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scopes       TEXT NOT NULL DEFAULT '["*"]' CHECK (json_valid(scopes)),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- Queue consumer idempotency: an envelope id recorded in the same batch as the work it guards.
CREATE TABLE processed_messages (
    message_id   TEXT PRIMARY KEY,
    queue        TEXT NOT NULL,
    processed_at TEXT NOT NULL
) WITHOUT ROWID;
