"""Enrichment rules, pure: website candidates, portals, facts, name patterns, mail-domain verdicts (issue 11)."""
