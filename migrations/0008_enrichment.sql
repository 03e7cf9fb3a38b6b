-- Enrichment (issue 11): where a prospect's website and address came from and how far they were checked, the facts
-- found on the hotel's own site, the address candidates tried, and what each provider cost per day.

-- Where the address came from: 'person' (API or dashboard), 'import' (a lead file), 'enrichment' (found by us).
-- NULL on rows older than this migration: treated as 'person' (never overwritten).
ALTER TABLE prospects ADD COLUMN email_source TEXT
    CHECK (email_source IS NULL OR email_source IN ('person', 'import', 'enrichment'));
-- The verification verdict, finer than email_status (which the send path reads; catch_all maps to 'risky' there).
ALTER TABLE prospects ADD COLUMN email_check TEXT
    CHECK (email_check IS NULL OR email_check IN ('valid', 'risky', 'catch_all', 'invalid', 'unknown'));
ALTER TABLE prospects ADD COLUMN email_checked_by TEXT;       -- the verifier whose verdict counts, or 'none'
ALTER TABLE prospects ADD COLUMN email_checked_at TEXT;
ALTER TABLE prospects ADD COLUMN website_source TEXT;         -- 'person', 'import' or 'enrichment:<provider>'
-- Enrichment progress: queued (a message is on its way), done (nothing left to find), partial (something is still
-- missing and every source was asked), waiting (a provider's quota or an outage stopped it: the cron tops it up),
-- failed (retries used up: see failed_tasks).
ALTER TABLE prospects ADD COLUMN enrichment_status TEXT
    CHECK (enrichment_status IS NULL OR enrichment_status IN ('queued', 'done', 'partial', 'waiting', 'failed'));
ALTER TABLE prospects ADD COLUMN enrichment_queued_at TEXT;
ALTER TABLE prospects ADD COLUMN enriched_at TEXT;            -- the last finished attempt
CREATE INDEX idx_prospects_enrichment ON prospects (enrichment_status, enriched_at, id) WHERE archived = 0;

-- Facts for personalisation, read from the hotel's own public pages. Composition may use only these.
CREATE TABLE prospect_facts (
    prospect_id TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    name        TEXT NOT NULL
                CHECK (name IN ('description', 'location', 'property_type', 'rooms', 'star_rating', 'features')),
    value       TEXT NOT NULL CHECK (json_valid(value)),   -- JSON: a string, a number or a list of strings
    source_url  TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    PRIMARY KEY (prospect_id, name)
) WITHOUT ROWID;

-- Generated addresses, ranked by how common the pattern is, with what verification said of each.
CREATE TABLE email_candidates (
    prospect_id TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    address     TEXT NOT NULL,
    pattern     TEXT NOT NULL,                            -- first.last, flast, ...
    rank        INTEGER NOT NULL CHECK (rank >= 1),
    status      TEXT NOT NULL DEFAULT 'unverified'
                CHECK (status IN ('unverified', 'valid', 'risky', 'catch_all', 'invalid', 'unknown')),
    verifier    TEXT,
    detail      TEXT,
    checked_at  TEXT,
    PRIMARY KEY (prospect_id, address)
) WITHOUT ROWID;

-- Provider use per UTC day: calls, credits (what the provider bills), failures and the estimated cost.
CREATE TABLE provider_usage (
    provider     TEXT NOT NULL,
    day          TEXT NOT NULL,                            -- YYYY-MM-DD (UTC)
    calls        INTEGER NOT NULL DEFAULT 0 CHECK (calls >= 0),
    credits      INTEGER NOT NULL DEFAULT 0 CHECK (credits >= 0),
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    cost_micros  INTEGER NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),   -- US dollars x 10^6
    last_failure TEXT,
    last_failure_at TEXT,
    PRIMARY KEY (provider, day)
) WITHOUT ROWID;
