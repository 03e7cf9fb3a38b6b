"""`SmtpSink`: the local outbound mail server (127.0.0.1:1025 by default) that keeps every message as a file.

Each accepted message is written atomically (temp file + rename) to `<outbox>/<UTC timestamp>-<short id>.eml`,
names sorting in arrival order, with `X-Jengu-Envelope-From` / `X-Jengu-Envelope-To` prepended so the SMTP
envelope (including Bcc recipients) stays visible. Files hold the wire bytes (CRLF line endings).
`read_outbox(dir)` parses them back, oldest first. No AUTH, no TLS: local only.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import os
import secrets
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from local.email._smtp_server import LOCAL_HOST, LoopSmtpServer

DEFAULT_SINK_PORT = 1025
DEFAULT_OUTBOX = Path(".local/outbox")
ENVELOPE_FROM_HEADER = "X-Jengu-Envelope-From"
ENVELOPE_TO_HEADER = "X-Jengu-Envelope-To"
_MAX_MESSAGE_BYTES = 50 * 1024 * 1024


class _NameClock:
    """Strictly increasing microsecond timestamps, so names sort in arrival order even within one microsecond."""

    def __init__(self) -> None:
        self._last = 0

    def next_name(self) -> str:
        now = max(time.time_ns() // 1000, self._last + 1)
        self._last = now
        stamp = datetime.fromtimestamp(now // 1_000_000, tz=UTC).strftime("%Y%m%dT%H%M%S")
        return f"{stamp}.{now % 1_000_000:06d}Z-{secrets.token_hex(4)}.eml"


_names = _NameClock()  # module-wide: two sinks on one outbox still produce sortable, distinct names
_tmp_counter = itertools.count()


def write_eml(outbox: Path, mail_from: str, rcpt_tos: list[str], raw: bytes) -> Path:
    """Store one message in `outbox` atomically; returns the final path."""
    outbox.mkdir(parents=True, exist_ok=True)
    eol = b"\r\n" if b"\r\n" in raw[:2048] else b"\n"
    envelope = (
        f"{ENVELOPE_FROM_HEADER}: <{mail_from}>".encode()
        + eol
        + f"{ENVELOPE_TO_HEADER}: ".encode()
        + ", ".join(f"<{r}>" for r in rcpt_tos).encode()
        + eol
    )
    final = outbox / _names.next_name()
    tmp = outbox / f".{final.name}.{os.getpid()}.{next(_tmp_counter)}.tmp"
    tmp.write_bytes(envelope + raw)
    os.replace(tmp, final)
    return final


def read_outbox(outbox: str | os.PathLike[str] = DEFAULT_OUTBOX) -> list[EmailMessage]:
    """Every stored message, oldest first, parsed with `email.policy.default` (line endings read as LF)."""
    directory = Path(outbox)
    if not directory.is_dir():
        return []
    messages = []
    for path in sorted(directory.glob("*.eml")):
        if path.name.startswith("."):
            continue
        data = path.read_bytes().replace(b"\r\n", b"\n")
        messages.append(email.message_from_bytes(data, policy=email.policy.default))
    return messages


class _SinkHandler:
    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox
        self.written: list[Path] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or b""
        path = write_eml(self.outbox, envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        self.written.append(path)
        return f"250 2.0.0 Stored as {path.name}"


class SmtpSink(LoopSmtpServer):
    """`async with SmtpSink(tmp_path, port=0) as sink: ... sink.port ... sink.messages()`"""

    def __init__(
        self,
        outbox: str | os.PathLike[str] = DEFAULT_OUTBOX,
        *,
        host: str = LOCAL_HOST,
        port: int = DEFAULT_SINK_PORT,
    ) -> None:
        self._sink = _SinkHandler(Path(outbox))
        super().__init__(self._sink, host=host, port=port, data_size_limit=_MAX_MESSAGE_BYTES)

    @property
    def outbox(self) -> Path:
        return self._sink.outbox

    @property
    def written(self) -> list[Path]:
        """Files this sink wrote, in order."""
        return list(self._sink.written)

    def messages(self) -> list[EmailMessage]:
        return read_outbox(self.outbox)
