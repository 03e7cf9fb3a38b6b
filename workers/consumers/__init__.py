"""Queue consumers: one dispatch table from queue name and message type to a handler."""
