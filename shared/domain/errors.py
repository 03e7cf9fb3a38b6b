"""Jengu's error hierarchy. Adapters translate vendor errors (D1, KV, fetch, providers) into these at the edge.

JenguError
├── ValidationFailed           bad input from a caller (HTTP 4xx, never retried)
├── NotFound                   a referenced row does not exist
├── Conflict                   a uniqueness or version conflict
├── PermanentFailure           a queue task that must not be retried (dead-lettered at once)
│   └── MessageDecodeError     a queue message that is not a valid envelope or payload
└── InfrastructureError        a binding or provider failed
    ├── DatabaseError          D1 said no (D1_ERROR / D1_EXEC_ERROR / D1_TYPE_ERROR ...)
    │   ├── ConstraintViolation UNIQUE / FOREIGN KEY / CHECK constraint failed
    │   └── DatabaseUnavailable transient (overloaded, network lost, reset): safe to retry idempotent work
    └── QueueError             a queue send failed
"""

from __future__ import annotations


class JenguError(Exception):
    """Base class for every error Jengu raises on purpose. `details` is machine-readable context for clients."""

    def __init__(self, message: str = "", *, details: object = None) -> None:
        super().__init__(message)
        self.details = details


class ValidationFailed(JenguError):
    pass


class NotFound(JenguError):
    pass


class Conflict(JenguError):
    pass


class PreconditionRequired(JenguError):
    """A write that needs the client's last-seen version (If-Match) did not send one."""


class PermanentFailure(JenguError):
    """Retrying cannot help: the consumer dead-letters the message immediately."""


class MessageDecodeError(PermanentFailure):
    pass


class InfrastructureError(JenguError):
    pass


class DatabaseError(InfrastructureError):
    pass


class ConstraintViolation(DatabaseError):
    pass


class DatabaseUnavailable(DatabaseError):
    pass


class QueueError(InfrastructureError):
    pass
