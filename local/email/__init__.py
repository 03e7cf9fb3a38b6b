"""The email side of the local runtime: inbound SMTP → `email()` handler, `send_email` binding → SMTP sink.

    sink = SmtpSink(".local/outbox", port=1025)                  # outbound mail lands here as .eml files
    env.EMAIL = LocalSendEmail("EMAIL", smtp_port=1025)           # the send_email binding
    inbound = InboundSmtpServer(deliver, port=2525, forwarder=smtp_transport(port=1025))
    # deliver(message) calls the Worker's email(message, env, ctx); forward()/reply() go to the sink

Never deployed: CPython only (aiosmtpd, aiosmtplib).
"""

from local.email.message import Headers, LocalEmailMessage, RawStream, Transport
from local.email.mime import EmailError, EmailTypeError
from local.email.send_email import LocalSendEmail, RawEmailMessage, deliver_smtp, smtp_transport
from local.email.smtp_inbound import InboundSmtpServer
from local.email.smtp_sink import SmtpSink, read_outbox

__all__ = [
    "EmailError",
    "EmailTypeError",
    "Headers",
    "InboundSmtpServer",
    "LocalEmailMessage",
    "LocalSendEmail",
    "RawEmailMessage",
    "RawStream",
    "SmtpSink",
    "Transport",
    "deliver_smtp",
    "read_outbox",
    "smtp_transport",
]
