"""`jengu demo`: the whole loop (import, enrichment, campaign, sending, replies) on the sample data against the local
runtime. `samples` builds the lead file and the replies, `steps` talks to the API, `cli/commands/demo.py` is the
command."""
