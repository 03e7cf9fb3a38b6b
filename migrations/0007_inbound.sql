-- Inbound understanding (issue 10): what each message was found to be, whether it can be trusted, the corrections
-- a person made; referrals as prospect suggestions; lookups for matching replies and bounces to our emails.

ALTER TABLE inbound_messages ADD COLUMN details TEXT;          -- JSON: the classifier's verdict and evidence
ALTER TABLE inbound_messages ADD COLUMN spoofed INTEGER NOT NULL DEFAULT 0 CHECK (spoofed IN (0, 1));
ALTER TABLE inbound_messages ADD COLUMN corrections TEXT;      -- JSON list: a person's reclassifications
ALTER TABLE inbound_messages ADD COLUMN campaign_id TEXT;
ALTER TABLE inbound_messages ADD COLUMN bounce_address TEXT;   -- the failed recipient of a bounce (soft-bounce counts)
ALTER TABLE inbound_messages ADD COLUMN confidence REAL;
CREATE INDEX idx_inbound_messages_list ON inbound_messages (received_at DESC, id DESC);
CREATE INDEX idx_inbound_messages_classification ON inbound_messages (classification, received_at DESC, id DESC)
    WHERE classification IS NOT NULL;
CREATE INDEX idx_inbound_messages_bounce_address ON inbound_messages (bounce_address, received_at)
    WHERE bounce_address IS NOT NULL;

-- Matching: replies by our Message-ID (unique already), the send_email builder's own id, recent mail to an address.
CREATE INDEX idx_emails_provider_id ON emails (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX idx_emails_to_sent ON emails (to_address, sent_at DESC);

-- A reply that names someone else ("please write to my colleague ..."): a suggestion a person may turn into a prospect.
CREATE TABLE prospect_suggestions (
    id                 TEXT PRIMARY KEY,
    source_prospect_id TEXT REFERENCES prospects (id) ON DELETE SET NULL,
    inbound_id         TEXT REFERENCES inbound_messages (id) ON DELETE SET NULL,
    name               TEXT,
    email              TEXT,
    status             TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'dismissed')),
    created_at         TEXT NOT NULL,
    UNIQUE (inbound_id, email)
);
CREATE INDEX idx_prospect_suggestions_status ON prospect_suggestions (status, created_at DESC);

-- The nightly job forgets delivered and failed notifications after NOTIFICATIONS_KEPT.
CREATE INDEX idx_notifications_finished ON notifications (created_at) WHERE status IN ('sent', 'failed');
