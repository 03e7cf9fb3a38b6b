"""The transport of one inbox: `transport_for(inbox, env=..., http=..., cache=...)`, built per send from the inbox's
kind, its non-secret settings and the Worker secrets its `secret_names` point at.

    cloudflare  the `send_email` binding EMAIL (settings `binding` may name another)
    smtp        SmtpTransport(host, port, security, username or the inbox address, password <- secret "password")
    graph       GraphTransport(tenant_id, client_id, user, client_secret <- secret "client_secret"); settings
                `format: "mime"` sends the raw message; GRAPH_LOGIN_URL / GRAPH_API_URL in env point it elsewhere
    resend      ResendTransport(api_key <- secret "api_key"); RESEND_BASE_URL in env points it elsewhere
    local       SmtpTransport to the dev sink, 127.0.0.1:1025 without TLS (settings `host` / `port` override it)

A secret that is not set (missing, empty) or a binding that is absent raises `TransportUnavailable` naming the
inbox and the secret's NAME, never a value. Transport modules are imported here, on first use, not at startup.
"""

from __future__ import annotations

from typing import Any

from shared.domain.inboxes.models import InboxRecord, TransportKind
from shared.ports.cache import Cache
from shared.ports.http import HttpClient
from shared.ports.mail import MailTransport, TransportUnavailable
from shared.ports.runtime import Clock

EMAIL_BINDING = "EMAIL"
LOCAL_SMTP_HOST = "127.0.0.1"
LOCAL_SMTP_PORT = 1025
SECRET_ROLE = {TransportKind.SMTP: "password", TransportKind.GRAPH: "client_secret", TransportKind.RESEND: "api_key"}


def transport_for(
    inbox: InboxRecord, *, env: Any, http: HttpClient, cache: Cache, clock: Clock | None = None
) -> MailTransport:
    kind = TransportKind(inbox.transport_kind)
    settings = dict(inbox.transport_settings or {})
    if kind is TransportKind.CLOUDFLARE:
        name = str(settings.get("binding") or EMAIL_BINDING)
        binding = _env_value(env, name)
        if binding is None:
            raise TransportUnavailable(f"inbox {inbox.id}: no send_email binding {name} (wrangler.toml [[send_email]])")
        from shared.adapters.mail.cloudflare import CloudflareSendEmail

        return CloudflareSendEmail(binding, raw=settings.get("format", "mime") == "mime")
    if kind is TransportKind.LOCAL:
        from shared.adapters.mail.smtp import SmtpTransport, opener_for

        return SmtpTransport(
            str(settings.get("host") or LOCAL_SMTP_HOST),
            int(settings.get("port") or LOCAL_SMTP_PORT),
            security="none",
            username=None,
            password=None,
            opener=opener_for(env),
            helo_name=inbox.domain,
        )
    secret = _secret(inbox, env, SECRET_ROLE[kind])
    if kind is TransportKind.SMTP:
        from shared.adapters.mail.smtp import SmtpTransport, opener_for

        _need(inbox, settings, "host", "port")
        port = int(settings["port"])
        implicit = (settings.get("security") or ("tls" if port == 465 else "starttls")) == "tls"
        return SmtpTransport(
            str(settings["host"]),
            port,
            security="tls" if implicit else "starttls",
            username=str(settings.get("username") or inbox.email),
            password=secret,
            opener=opener_for(env),
            helo_name=inbox.domain,
        )
    clock = clock or _system_clock()
    if kind is TransportKind.GRAPH:
        from shared.adapters.mail.graph import GRAPH_URL, LOGIN_URL, GraphTransport

        _need(inbox, settings, "tenant_id", "client_id", "user")
        return GraphTransport(
            tenant_id=str(settings["tenant_id"]),
            client_id=str(settings["client_id"]),
            client_secret=secret,
            user=str(settings["user"]),
            http=http,
            cache=cache,
            clock=clock,
            login_url=_text(env, "GRAPH_LOGIN_URL") or LOGIN_URL,
            graph_url=_text(env, "GRAPH_API_URL") or GRAPH_URL,
            mime=settings.get("format", "mime") == "mime",
        )
    from shared.adapters.mail.resend import BASE_URL, ResendTransport

    return ResendTransport(api_key=secret, http=http, clock=clock, base_url=_text(env, "RESEND_BASE_URL") or BASE_URL)


def _secret(inbox: InboxRecord, env: Any, role: str) -> str:
    name = inbox.secret_names.get(role)
    if not name:
        raise TransportUnavailable(f"inbox {inbox.id}: no secret name for {role} (secret_names.{role})")
    value = _env_value(env, name)
    if not isinstance(value, str) or not value.strip():
        raise TransportUnavailable(f"inbox {inbox.id}: secret {name} is not set")
    return value.strip()


def _need(inbox: InboxRecord, settings: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if settings.get(name) in (None, "")]
    if missing:
        raise TransportUnavailable(f"inbox {inbox.id}: transport settings lack {', '.join(missing)}")


def _text(env: Any, name: str) -> str | None:
    value = _env_value(env, name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _env_value(env: Any, name: str) -> Any:
    try:
        return getattr(env, name, None)
    except Exception:  # an env wrapper may raise its own error for a missing name
        return None


def _system_clock() -> Clock:
    from shared.adapters.system import SystemClock

    return SystemClock()
