"""A fake Microsoft Graph over real HTTP: the identity platform's token endpoint, `sendMail` (JSON and MIME) and the
Sent Items search by Message-ID.

    graph = FakeGraph(tenant="t1", client_id="c1", client_secret="s"); await graph.start()
    GraphTransport(login_url=graph.base_url, graph_url=graph.base_url, ...)
    graph.script(["throttled", "ok"])       # or POST /__fake/script with a JSON list, while `make dev` runs

`POST /{tenant}/oauth2/v2.0/token` checks the form (client_credentials, the Graph scope, the right client id and
secret: else 401 invalid_client) and issues `token-<n>` valid `token_lifetime_s`. `POST /v1.0/users/{user}/sendMail`
checks the Bearer token (unknown or revoked: 401 InvalidAuthenticationToken), then consumes one scripted mode (an
empty script answers `ok`):

    ok                  202; the message is recorded and lands in the user's Sent Items
    throttled           429 ApplicationThrottled, Retry-After: 9
    server_error        503 without Retry-After (a plain 5xx)
    token_expired       401 once (every token issued so far is revoked), so the client must fetch a new one
    send_as_denied      403 ErrorSendAsDenied
    invalid_recipient   400 ErrorInvalidRecipients
    not_rest_enabled    404 MailboxNotEnabledForRESTAPI
    accept_and_drop     the message is recorded and saved, then the connection closes without an answer

`GET /v1.0/users/{user}/mailFolders/sentitems/messages?$filter=internetMessageId eq '<id>'&$select=id` answers
`{"value": [{"id"}...]}` from Sent Items. `graph.token_requests` counts token calls; `graph.messages` holds what
was accepted (the JSON message, or the parsed MIME headers and text). The HTTP plumbing is local/fakes/http.py.
CPython only; never bundled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote

from local.fakes.http import Answer, MiniHttpServer, Request, json_answer

GRAPH_MODES = (
    "ok",
    "throttled",
    "server_error",
    "token_expired",
    "send_as_denied",
    "invalid_recipient",
    "not_rest_enabled",
    "accept_and_drop",
)
RETRY_AFTER_S = 9
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
SEND_AS_DENIED = (
    "The user account which was used to submit this request does not have the right to send mail on behalf of the "
    "specified sending account."
)
NOT_REST_ENABLED = "The mailbox is either inactive, soft-deleted, or is hosted on-premise."


class FakeGraph(MiniHttpServer):
    def __init__(
        self,
        *,
        tenant: str = "fake-tenant",
        client_id: str = "fake-client",
        client_secret: str = "fake-graph-secret",
        token_lifetime_s: int = 3599,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(GRAPH_MODES, host=host, port=port)
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime_s = token_lifetime_s
        self.token_requests = 0
        self.valid_tokens: set[str] = set()
        self.messages: list[dict[str, Any]] = []  # accepted: {"user", "format", "message", "save"}
        self.sent_items: dict[str, list[dict[str, str]]] = {}  # user -> [{"id", "internetMessageId"}]
        self.answered: list[str] = []  # the mode each sendMail got

    def route(self, request: Request) -> Answer:
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        if request.method == "POST" and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self._token(parts[0], request)
        if parts[:2] != ["v1.0", "users"] or len(parts) < 4:
            return _graph_error(404, "ResourceNotFound", f"no route {request.method} {request.path}")
        user = parts[2]
        if not self._authorized(request):
            return _graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if request.method == "POST" and parts[3:] == ["sendMail"]:
            return self._send(user, request)
        if request.method == "GET" and parts[3:] == ["mailFolders", "sentitems", "messages"]:
            return self._search(user, request.query.get("$filter", ""))
        return _graph_error(404, "ResourceNotFound", f"no route {request.method} {request.path}")

    def _token(self, tenant: str, request: Request) -> Answer:
        self.token_requests += 1
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if tenant != self.tenant:
            return json_answer(
                400, {"error": "invalid_request", "error_description": f"AADSTS90002: Tenant '{tenant}' not found."}
            )
        if form.get("grant_type") != "client_credentials" or form.get("scope") != GRAPH_SCOPE:
            return json_answer(400, {"error": "invalid_scope", "error_description": "AADSTS70011: invalid scope."})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return json_answer(
                401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}
            )
        token = f"token-{self.token_requests}"
        self.valid_tokens.add(token)
        return json_answer(200, {"token_type": "Bearer", "expires_in": self.token_lifetime_s, "access_token": token})

    def _authorized(self, request: Request) -> bool:
        value = request.headers.get("authorization", "")
        return value.startswith("Bearer ") and value[len("Bearer ") :] in self.valid_tokens

    def _send(self, user: str, request: Request) -> Answer:
        mode = self.modes.next()
        self.answered.append(mode)
        if mode == "throttled":
            headers = {"retry-after": str(RETRY_AFTER_S)}
            return _graph_error(
                429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", headers
            )
        if mode == "server_error":
            return _graph_error(503, "ServiceUnavailable", "The service is temporarily unavailable.")
        if mode == "token_expired":
            self.valid_tokens.clear()
            return _graph_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
        if mode == "send_as_denied":
            return _graph_error(403, "ErrorSendAsDenied", SEND_AS_DENIED)
        if mode == "invalid_recipient":
            return _graph_error(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")
        if mode == "not_rest_enabled":
            return _graph_error(404, "MailboxNotEnabledForRESTAPI", NOT_REST_ENABLED)
        parsed = self._accepted(user, request)
        if isinstance(parsed, Answer):
            return parsed
        return Answer(202, drop=mode == "accept_and_drop")

    def _accepted(self, user: str, request: Request) -> Answer | None:
        if request.headers.get("content-type", "").startswith("text/plain"):
            import base64
            import email
            import email.policy

            try:
                raw = base64.b64decode(request.body, validate=True)
            except ValueError:
                return _graph_error(
                    400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."
                )
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            body = parsed.get_body(("plain",))
            message = {"headers": {k: str(v) for k, v in parsed.items()}, "text": body.get_content() if body else ""}
            entry = {"user": user, "format": "mime", "message": message, "save": True, "raw": raw}
            message_id = str(parsed.get("Message-ID", ""))
        else:
            data = request.json()
            if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
                return _graph_error(400, "ErrorInvalidRequest", "The request body must hold a message.")
            bad = [
                h.get("name")
                for h in data["message"].get("internetMessageHeaders", [])
                if not str(h.get("name", "")).lower().startswith("x-")
            ]
            if bad:
                return _graph_error(
                    400,
                    "InvalidInternetMessageHeader",
                    f"The internet message header name '{bad[0]}' should start with 'x-' or 'X-'.",
                )
            entry = {"user": user, "format": "json", "message": data["message"], "save": data.get("saveToSentItems")}
            message_id = str(data["message"].get("internetMessageId", ""))
        self.messages.append(entry)
        if entry["save"] is not False:
            items = self.sent_items.setdefault(user, [])
            items.append({"id": f"AAMk-{len(self.messages)}", "internetMessageId": message_id})
        return None

    def _search(self, user: str, expression: str) -> Answer:
        prefix, suffix = "internetMessageId eq '", "'"
        if not (expression.startswith(prefix) and expression.endswith(suffix)):
            return _graph_error(400, "BadRequest", f"Invalid filter clause: {expression}")
        wanted = expression[len(prefix) : -len(suffix)].replace("''", "'")
        found = [{"id": m["id"]} for m in self.sent_items.get(user, []) if m["internetMessageId"] == wanted]
        return json_answer(200, {"value": found})


def _graph_error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Answer:
    return json_answer(status, {"error": {"code": code, "message": message}}, headers)
