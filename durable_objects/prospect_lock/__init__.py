"""ProspectLock Durable Object (per prospect: leases so one worker acts on a prospect at a time)."""
