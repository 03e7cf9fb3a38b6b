"""Microsoft Graph `sendMail` as a `MailTransport`: OAuth 2.0 client credentials, the token cached until shortly
before it expires (in the `Cache` port, one key per tenant + client, and in memory), the message as Graph's JSON.

    POST {login}/{tenant}/oauth2/v2.0/token            client_credentials, scope https://graph.microsoft.com/.default
    POST {graph}/v1.0/users/{user}/sendMail            202 -> accepted (Graph returns no id: provider_id None)
    GET  {graph}/v1.0/users/{user}/mailFolders/sentitems/messages?$filter=internetMessageId eq '<id>'&$select=id

Answers -> outcomes: 401 (an expired or revoked token) drops the token, fetches a new one and retries once, then
sender_problem; 403, ErrorSendAsDenied, ErrorAccessDenied, MailboxNotEnabledForRESTAPI, ErrorMessageSubmission-
Blocked, ErrorQuotaExceeded, 404 (no such user), token refusals (invalid_client...) and any other 4xx ->
sender_problem; 400 ErrorInvalidRecipients -> recipient_refused; 429, ErrorExceededMessageLimit and 503/504 with
Retry-After -> rate_limited; other 5xx and no answer -> transient. No answer to sendMail (a timeout, a reset) may
still mean the message went out, so the transport asks Sent Items once before calling it transient.

What Graph's JSON cannot carry: `internetMessageHeaders` takes only `X-` names, so List-Unsubscribe,
List-Unsubscribe-Post, In-Reply-To and References are dropped in JSON mode (the visible opt-out line in the body
stays; follow-ups thread in Outlook by conversation, in Gmail by subject). `mime=True` sends the complete RFC 5322
message instead (`Content-Type: text/plain`, base64 body), which carries every header we built; Graph then saves
to Sent Items by itself. The client secret and the token never appear in a result, an error or a repr.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from shared.adapters.ai._wire import parse_retry_after, redact
from shared.ports.cache import Cache
from shared.ports.http import HttpClient, HttpError, HttpResponse
from shared.ports.mail import OutgoingEmail, SendOutcome, SendResult
from shared.ports.runtime import Clock

LOGIN_URL = "https://login.microsoftonline.com"
GRAPH_URL = "https://graph.microsoft.com"
SCOPE = "https://graph.microsoft.com/.default"
REFRESH_MARGIN_S = 300.0  # a token is replaced this long before Microsoft says it expires
MIN_CACHE_TTL_S = 60  # KV refuses shorter TTLs
MAX_DETAIL_CHARS = 300

SENDER_CODES = frozenset(
    {
        "ErrorSendAsDenied",
        "ErrorAccessDenied",
        "MailboxNotEnabledForRESTAPI",
        "ErrorMailboxNotEnabledForRESTAPI",
        "ErrorMessageSubmissionBlocked",
        "ErrorQuotaExceeded",
        "ErrorAccountDisabled",
        "ErrorInvalidUser",
        "ResourceNotFound",
        "AuthenticationError",
        "InvalidAuthenticationToken",
    }
)
RECIPIENT_CODES = frozenset({"ErrorInvalidRecipients", "ErrorInvalidRecipient"})
RATE_CODES = frozenset({"ErrorExceededMessageLimit", "ApplicationThrottled", "TooManyRequests"})


class _Failed(Exception):
    def __init__(self, result: SendResult) -> None:
        super().__init__(result.detail)
        self.result = result


class GraphTransport:
    """One Graph mailbox (`user`: its UPN or object id) of one app registration (tenant, client id, secret)."""

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        user: str,
        http: HttpClient,
        cache: Cache,
        clock: Clock,
        login_url: str = LOGIN_URL,
        graph_url: str = GRAPH_URL,
        timeout_s: float = 30.0,
        mime: bool = False,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.user = user
        self.mime = mime
        self._secret = client_secret
        self._http = http
        self._cache = cache
        self._clock = clock
        self._login_url = login_url.rstrip("/")
        self._graph_url = graph_url.rstrip("/")
        self._timeout_s = timeout_s
        self._token: str | None = None
        self._expires_at = 0.0

    @property
    def kind(self) -> str:
        return "graph"

    @property
    def cache_key(self) -> str:
        return f"mail:graph:token:{self.tenant_id}:{self.client_id}"

    def __repr__(self) -> str:
        return f"GraphTransport(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, user={self.user!r})"

    # -- the port ----------------------------------------------------------------------------------------------
    async def send(self, email: OutgoingEmail) -> SendResult:
        url = f"{self._graph_url}/v1.0/users/{quote(self.user, safe='@')}/sendMail"
        if self.mime:
            import base64

            body, content_type = base64.b64encode(email.raw), "text/plain"
        else:
            body, content_type = json.dumps(graph_message(email), ensure_ascii=False).encode(), "application/json"
        try:
            response = await self._authorized("POST", url, body=body, content_type=content_type)
        except _Failed as failed:
            return failed.result
        except HttpError as exc:
            if await self.confirm(email.message_id):  # the answer was lost, not necessarily the message
                return SendResult(SendOutcome.ACCEPTED, detail="no answer to sendMail; found in Sent Items")
            return SendResult(SendOutcome.TRANSIENT, detail=self._clean(f"no answer: {exc}"))
        if response.status == 202:
            return SendResult(SendOutcome.ACCEPTED, code=202)
        return self._outcome(response)

    async def confirm(self, message_id: str) -> bool | None:
        """True when Sent Items holds a message with this Message-ID, False when not (it may not have been saved
        yet: Graph saves a moment after accepting), None when Graph could not be asked."""
        literal = message_id.replace("'", "''")
        query = "$filter=" + quote(f"internetMessageId eq '{literal}'", safe="") + "&$select=id"
        url = f"{self._graph_url}/v1.0/users/{quote(self.user, safe='@')}/mailFolders/sentitems/messages?{query}"
        try:
            response = await self._authorized("GET", url)
        except (_Failed, HttpError):
            return None
        if response.status != 200:
            return None
        try:
            found = response.json().get("value")
        except (ValueError, AttributeError):
            return None
        return bool(found) if isinstance(found, list) else None

    # -- tokens ------------------------------------------------------------------------------------------------
    async def _authorized(
        self, method: str, url: str, *, body: bytes | None = None, content_type: str | None = None
    ) -> HttpResponse:
        for attempt in (1, 2):
            token = await self._access_token(fresh=attempt == 2)
            headers = {"authorization": f"Bearer {token}"}
            if content_type is not None:
                headers["content-type"] = content_type
            response = await self._http.request(method, url, headers=headers, body=body, timeout_s=self._timeout_s)
            if response.status != 401 or attempt == 2:
                return response
            await self._forget_token()
        raise AssertionError("unreachable")

    async def _access_token(self, *, fresh: bool) -> str:
        now = self._clock.now().timestamp()
        if not fresh:
            if self._token is not None and now < self._expires_at - REFRESH_MARGIN_S:
                return self._token
            cached = await self._cache.get_json(self.cache_key)
            if isinstance(cached, dict) and isinstance(cached.get("access_token"), str):
                expires_at = float(cached.get("expires_at") or 0)
                if now < expires_at - REFRESH_MARGIN_S:
                    self._token, self._expires_at = cached["access_token"], expires_at
                    return self._token
        return await self._new_token(now)

    async def _new_token(self, now: float) -> str:
        from urllib.parse import urlencode

        form = urlencode(
            {
                "client_id": self.client_id,
                "client_secret": self._secret,
                "scope": SCOPE,
                "grant_type": "client_credentials",
            }
        )
        url = f"{self._login_url}/{quote(self.tenant_id, safe='')}/oauth2/v2.0/token"
        headers = {"content-type": "application/x-www-form-urlencoded"}
        try:
            response = await self._http.request("POST", url, headers=headers, body=form, timeout_s=self._timeout_s)
        except HttpError as exc:
            raise _Failed(SendResult(SendOutcome.TRANSIENT, detail=self._clean(f"token endpoint: {exc}"))) from None
        data = _json(response)
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if response.status != 200 or not isinstance(token, str) or not token:
            raise _Failed(self._token_failure(response, data))
        lifetime = float(expires_in) if isinstance(expires_in, int | float | str) and _number(expires_in) else 3599.0
        self._token, self._expires_at = token, now + lifetime
        ttl = max(MIN_CACHE_TTL_S, int(lifetime - REFRESH_MARGIN_S))
        await self._cache.put_json(
            self.cache_key, {"access_token": token, "expires_at": self._expires_at}, ttl_seconds=ttl
        )
        return token

    async def _forget_token(self) -> None:
        self._token, self._expires_at = None, 0.0
        await self._cache.delete(self.cache_key)

    def _token_failure(self, response: HttpResponse, data: Mapping[str, Any]) -> SendResult:
        status = response.status
        words = data.get("error_description") or data.get("error") or response.text()
        detail = self._clean(f"token endpoint HTTP {status}: {words}")
        if status == 429 or (status in (503, 504) and response.header("retry-after")):
            return SendResult(SendOutcome.RATE_LIMITED, code=status, detail=detail, retry_after_s=self._retry(response))
        if status >= 500:
            return SendResult(SendOutcome.TRANSIENT, code=status, detail=detail)
        return SendResult(SendOutcome.SENDER_PROBLEM, code=status, detail=detail)  # bad secret, client or tenant

    # -- answers -----------------------------------------------------------------------------------------------
    def _outcome(self, response: HttpResponse) -> SendResult:
        status = response.status
        error = _json(response).get("error")
        code = str(error.get("code") or "") if isinstance(error, dict) else ""
        message = str(error.get("message") or "") if isinstance(error, dict) else response.text()
        detail = self._clean(f"HTTP {status} {code}: {message}".replace(" :", ":"))
        retry = self._retry(response)
        if status == 429 or code in RATE_CODES or (status in (503, 504) and retry is not None):
            return SendResult(SendOutcome.RATE_LIMITED, code=status, detail=detail, retry_after_s=retry)
        if code in RECIPIENT_CODES:
            return SendResult(SendOutcome.RECIPIENT_REFUSED, code=status, detail=detail)
        if status >= 500:
            return SendResult(SendOutcome.TRANSIENT, code=status, detail=detail)
        return SendResult(SendOutcome.SENDER_PROBLEM, code=status, detail=detail)  # SENDER_CODES, 401 twice, other 4xx

    def _retry(self, response: HttpResponse) -> float | None:
        value = response.header("retry-after")
        return parse_retry_after(value, now=self._clock.now()) if value else None

    def _clean(self, text: str) -> str:
        text = " ".join(redact(text, self._secret).split())
        if self._token:
            text = redact(text, self._token)
        return text[:MAX_DETAIL_CHARS]


def graph_message(email: OutgoingEmail) -> dict[str, Any]:
    """The sendMail JSON body: plain text first (Graph takes one body, so the HTML part wins when there is one),
    our Message-ID, Reply-To, and the `X-` headers Graph accepts."""
    sender: dict[str, Any] = {"emailAddress": {"address": email.mail_from}}
    if email.from_name:
        sender["emailAddress"]["name"] = email.from_name
    message: dict[str, Any] = {
        "subject": email.subject,
        "body": {"contentType": "HTML", "content": email.html}
        if email.html
        else {"contentType": "Text", "content": email.text},
        "toRecipients": [{"emailAddress": {"address": email.rcpt_to}}],
        "from": sender,
        "internetMessageId": email.message_id,
    }
    if email.reply_to:
        message["replyTo"] = [{"emailAddress": {"address": email.reply_to}}]
    custom = [{"name": name, "value": value} for name, value in email.headers.items() if name.lower().startswith("x-")]
    if custom:
        message["internetMessageHeaders"] = custom
    return {"message": message, "saveToSentItems": True}


def dropped_headers(email: OutgoingEmail) -> list[str]:
    """The headers JSON mode cannot carry (everything but `X-`), for the record and the tests."""
    return [name for name in email.headers if not name.lower().startswith("x-")]


def _json(response: HttpResponse) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _number(value: Any) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False
