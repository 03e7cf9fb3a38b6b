"""SQL of the streamed inbound store (decision 0015): a provisional row, chunk rows as bytes arrive, completion.

A row whose `raw_sha256` starts with PARTIAL_PREFIX is still receiving: it has no digest yet, `raw_chunks` is 0,
and nothing is queued for it. `COMPLETE_INBOUND` turns it into a stored message only if every chunk row is present
and no stored message has the same bytes for the same recipient; otherwise the same batch drops it.
"""

from __future__ import annotations

PARTIAL_PREFIX = "partial:"
PARTIAL_UPPER = "partial;"  # the first text after every PARTIAL_PREFIX digest: a range seek on the digest index

# The chunk's base64 text is bound as the bytes of its ASCII and stored as TEXT (the row format of every stored
# chunk): Pyodide 0.28 hands a Python str to JS as a rope of one-character strings (~20-32 bytes per character until
# D1 reads it), bytes as a Uint8Array that D1's bind() turns into an Array of small integers (4-8 bytes per byte).
INSERT_CHUNK_TEXT = """
INSERT INTO inbound_message_chunks (inbound_id, seq, data)
SELECT ?, ?, CAST(? AS TEXT) WHERE EXISTS (SELECT 1 FROM inbound_messages WHERE id = ?)
ON CONFLICT (inbound_id, seq) DO NOTHING
"""

COMPLETE_INBOUND = """
UPDATE inbound_messages
SET raw_size = ?, raw_sha256 = ?, raw_chunks = ?, message_id = ?, in_reply_to = ?, subject = ?
WHERE id = ? AND raw_sha256 = ?
  AND (SELECT count(*) FROM inbound_message_chunks WHERE inbound_id = ?) = ?
  AND NOT EXISTS (
    SELECT 1 FROM inbound_messages AS stored WHERE stored.raw_sha256 = ? AND stored.rcpt_to = inbound_messages.rcpt_to
  )
"""
DROP_PARTIAL_CHUNKS = """
DELETE FROM inbound_message_chunks
WHERE inbound_id = ? AND EXISTS (SELECT 1 FROM inbound_messages WHERE id = ? AND raw_sha256 = ?)
"""
DROP_PARTIAL = "DELETE FROM inbound_messages WHERE id = ? AND raw_sha256 = ?"
FIND_STORED = "SELECT id FROM inbound_messages WHERE raw_sha256 = ? AND rcpt_to = ?"
GET_FIRST_CHUNK = "SELECT data FROM inbound_message_chunks WHERE inbound_id = ? AND seq = 0"
# Provisional rows of messages whose handler died mid-stream (nothing queued them): the nightly integrity job drops
# them, oldest first, a page at a time. A range on the digest index, not LIKE (which D1 cannot seek).
ABANDONED_PARTIALS = """
SELECT id FROM inbound_messages
WHERE raw_sha256 >= ?1 AND raw_sha256 < ?2 AND received_at < ?3
ORDER BY raw_sha256 LIMIT ?4
"""
DROP_ABANDONED_CHUNKS = """
DELETE FROM inbound_message_chunks
WHERE inbound_id IN (
    SELECT id FROM inbound_messages
    WHERE id IN (SELECT value FROM json_each(?1)) AND raw_sha256 >= ?2 AND raw_sha256 < ?3
)
"""
DROP_ABANDONED = """
DELETE FROM inbound_messages
WHERE id IN (SELECT value FROM json_each(?1)) AND raw_sha256 >= ?2 AND raw_sha256 < ?3
"""

# --- The inbound API (workers/api/routes/inbound.py): list, read one, a person's correction. ---------------------
# Stored messages only: a provisional row (PARTIAL_PREFIX digest) is not a message yet.
STORED = "NOT (raw_sha256 >= 'partial:' AND raw_sha256 < 'partial;')"
_INBOUND_COLUMNS = """
id, received_at, mail_from, rcpt_to, raw_size, message_id, in_reply_to, subject, status, classification, intent,
confidence, spoofed, prospect_id, email_id, campaign_id, processed_at, corrections IS NOT NULL AS corrected
"""
LIST_INBOUND_FROM = f"SELECT {_INBOUND_COLUMNS} FROM inbound_messages WHERE {STORED}"
LIST_INBOUND_EQUALS = {
    "classification": "classification = ?",
    "intent": "intent = ?",
    "campaign_id": "campaign_id = ?",
    "prospect_id": "prospect_id = ?",
}
LIST_INBOUND_MATCHED = "(prospect_id IS NOT NULL OR email_id IS NOT NULL)"
LIST_INBOUND_UNMATCHED = "(prospect_id IS NULL AND email_id IS NULL)"
LIST_INBOUND_SINCE = "received_at >= ?"
LIST_INBOUND_UNTIL = "received_at < ?"
LIST_INBOUND_AFTER = "(received_at, id) < (?, ?)"
LIST_INBOUND_ORDER = "ORDER BY received_at DESC, id DESC LIMIT ?"
GET_INBOUND_DETAIL = f"""
SELECT {_INBOUND_COLUMNS}, raw_chunks, trace_id, details, corrections AS corrections_json
FROM inbound_messages WHERE id = ? AND {STORED}
"""
# ?1 id, ?2 classification, ?3 intent, ?4 the correction (a JSON object) appended to `corrections`
RECORD_CORRECTION = f"""
UPDATE inbound_messages
SET classification = ?2, intent = ?3,
    corrections = json_insert(CASE WHEN json_valid(corrections) THEN corrections ELSE '[]' END, '$[#]', json(?4))
WHERE id = ?1 AND {STORED}
"""
