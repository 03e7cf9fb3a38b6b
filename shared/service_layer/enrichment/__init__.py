"""Enrichment: a prospect's website, the facts that personalise an email, a verified address (decision 0020)."""
