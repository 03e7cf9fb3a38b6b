"""A scriptable SMTP submission server on 127.0.0.1 (aiosmtpd, in the running loop) for the SMTP transport's tests.

    server = FakeSmtpServer(auth=("user", "secret")); await server.start()     # AUTH PLAIN/LOGIN required
    server.script("ghost@hotel.test", "unknown_user")                        # answered at RCPT TO
    server.script("filtered@hotel.test", "policy", at="data")                # answered after the message
    SmtpTransport("127.0.0.1", server.port, security="none", ...)

Modes (a recipient without a script is `ok`):

    ok                250 2.0.0 (RCPT) / 250 2.0.0 Ok: queued as <id> (DATA); the message is recorded
    busy              421 4.7.0 Too many connections, slow down (the connection stays up)
    greylist          450 4.2.0 Greylisted, try again later
    unknown_user      550 5.1.1 User unknown
    policy            550 5.7.1 Message rejected by policy
    full              452 4.2.2 Mailbox full
    auth_failed       535 5.7.8 Authentication credentials invalid
    drop_before_data  the connection is closed at RCPT TO, without a reply
    drop_after_data   the message is swallowed (recorded in `swallowed`) and the connection closed without a reply

`mechanisms` limits the AUTH mechanisms EHLO advertises (PLAIN, LOGIN). A wrong username or password (when `auth`
is set) answers aiosmtpd's own 535 5.7.8, as does every AUTH while `reject_auth` is True; MAIL FROM before AUTH
answers 530. No STARTTLS here (no certificates offline): TLS is proven against the Workers socket mock in the
Pyodide tier. `accepted` records each delivered message (envelope, MAIL
parameters, bytes as received after dot-unstuffing, the login that sent it); `logins` records each AUTH attempt's
mechanism and username, never a password.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from local.email._smtp_server import LOCAL_HOST, SERVER_HOSTNAME, LoopSmtpServer

Mode = Literal[
    "ok", "busy", "greylist", "unknown_user", "policy", "full", "auth_failed", "drop_before_data", "drop_after_data"
]
Step = Literal["rcpt", "data"]
REPLIES: dict[str, str] = {
    "busy": "421 4.7.0 Too many connections, slow down",
    "greylist": "450 4.2.0 Greylisted, try again later",
    "unknown_user": "550 5.1.1 User unknown",
    "policy": "550 5.7.1 Message rejected by policy",
    "full": "452 4.2.2 Mailbox full",
    "auth_failed": "535 5.7.8 Authentication credentials invalid",
}
logging.getLogger("mail.log").addFilter(lambda record: "auth_require_tls" not in record.getMessage())
MODES: tuple[str, ...] = ("ok", *REPLIES, "drop_before_data", "drop_after_data")


@dataclass(frozen=True)
class Accepted:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    mail_options: tuple[str, ...]
    login: str | None
    queue_id: str


@dataclass(frozen=True)
class Login:
    mechanism: str
    username: str
    success: bool


@dataclass
class _Script:
    rcpt: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)


class _Handler:
    def __init__(self, owner: FakeSmtpServer) -> None:
        self.owner = owner

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        mode = self.owner.mode_for(address, "rcpt")
        if mode == "drop_before_data":
            _drop(server)
            return "421 connection dropped"  # never reaches the client: the transport is closed
        if mode in REPLIES:
            return REPLIES[mode]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        modes = [self.owner.mode_for(address, "data") for address in envelope.rcpt_tos]
        data = bytes(envelope.original_content or b"")
        record = Accepted(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=data,
            mail_options=tuple(envelope.mail_options),
            login=_login(session),
            queue_id=f"Q{next(self.owner.ids):06d}",
        )
        if "drop_after_data" in modes:
            self.owner.swallowed.append(record)
            _drop(server)
            return "250 never sent"
        for mode in modes:
            if mode in REPLIES:
                return REPLIES[mode]
        self.owner.accepted.append(record)
        return f"250 2.0.0 Ok: queued as {record.queue_id}"


def _drop(server: SMTP) -> None:
    transport: Any = server.transport
    if transport is not None:
        transport.abort()


def _login(session: Session) -> str | None:
    data = session.auth_data
    return data.login.decode() if isinstance(data, LoginPassword) else None


class FakeSmtpServer(LoopSmtpServer):
    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        mechanisms: Iterable[str] = ("PLAIN", "LOGIN"),
        port: int = 0,
        data_size_limit: int | None = 10 * 1024 * 1024,
    ) -> None:
        super().__init__(_Handler(self), host=LOCAL_HOST, port=port, data_size_limit=data_size_limit)
        self._auth = auth
        self._excluded = [m for m in ("PLAIN", "LOGIN") if m not in {name.upper() for name in mechanisms}]
        self._script = _Script()
        self.reject_auth = False
        self.accepted: list[Accepted] = []
        self.swallowed: list[Accepted] = []
        self.logins: list[Login] = []
        self.ids = itertools.count(1)

    def script(self, address: str, mode: Mode, *, at: Step = "rcpt") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        """Answer `address` with `mode` at `at` (the drop modes choose their own step: RCPT / after the message)."""
        target = {"drop_before_data": "rcpt", "drop_after_data": "data"}.get(mode, at)
        (self._script.rcpt if target == "rcpt" else self._script.data)[address.lower()] = mode

    def mode_for(self, address: str, step: Step) -> str:
        table = self._script.rcpt if step == "rcpt" else self._script.data
        return table.get(address.lower(), "ok")

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        username = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else ""
        password = auth_data.password.decode() if isinstance(auth_data, LoginPassword) else ""
        success = not self.reject_auth and self._auth is not None and (username, password) == self._auth
        self.logins.append(Login(mechanism, username, success))
        if success:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535 5.7.8

    async def start(self) -> None:
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()
        auth = self._auth is not None

        def factory() -> SMTP:
            with warnings.catch_warnings():  # "AUTH without TLS": deliberate, loopback only
                warnings.simplefilter("ignore", UserWarning)
                return self._smtp(loop, auth)

        self._server = await loop.create_server(factory, host=self._host, port=self._requested_port)

    def _smtp(self, loop: asyncio.AbstractEventLoop, auth: bool) -> SMTP:
        return SMTP(
            self._handler,
            hostname=SERVER_HOSTNAME,
            data_size_limit=self._data_size_limit,
            enable_SMTPUTF8=True,
            decode_data=False,
            auth_required=auth,
            auth_require_tls=False,  # plain TCP on loopback: no certificates offline
            authenticator=self._authenticate if auth else None,
            auth_exclude_mechanism=self._excluded,
            loop=loop,
        )
