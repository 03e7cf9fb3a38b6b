"""Sending, pure domain logic: what a message looks like on the wire and what makes it legally sendable.

mime                build_mime: the complete RFC 5322 message (CRLF) plus the extra headers an API transport sets
footer              with_footer / html_footer: the visible opt-out line and the sender's postal address (CAN-SPAM)
unsubscribe_tokens  make_token / read_token / secrets_from: opaque, signed, deterministic per-email tokens

The `email` package's policies and header registry are imported on first use only, never when these load.
"""
