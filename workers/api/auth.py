"""Bearer-key authentication and scopes for `/api/*`, with the per-IP and per-key rate limits around it.

`Authorization: Bearer <key>` where the key is the `API_KEY` secret (the bootstrap key, compared in constant time)
or a stored key (looked up by SHA-256; revoked keys refused). Missing or malformed credentials and wrong keys are
all 401 with `WWW-Authenticate: Bearer` (no hint which); a valid key lacking a route's scope is 403.

Order per request (see rate_limits.py): probe/charge the client IP's bucket → authenticate → take from the key's
bucket. Routers depend on `AuthorizedServices` (any valid key) or `AdminServices` (scope "admin" or "*"); the
principal is on `request.state.principal`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import get_services
from api.errors import ApiError
from api.rate_limits import ApiRateLimits, client_ip
from shared.bootstrap import Services
from shared.domain.api_keys import ADMIN_SCOPE, Principal
from shared.messages.rate_limit import KeyClass
from shared.service_layer.api_keys import authenticate

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="jengu"'}

# Declares the security scheme in OpenAPI (the Authorize button in /docs); the checks below do the work.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="BearerAuth",
    bearerFormat="jengu_…",
    description="An API key (`jengu_…`) or the deployment's API_KEY secret, as `Authorization: Bearer <key>`.",
)


async def require_api_key(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Services:
    limits = ApiRateLimits(services)
    ip = client_ip(request.scope, trust_forwarded_for=services.settings.is_local)
    presented = credentials.credentials.strip() if credentials is not None else ""
    if not presented:
        await limits.enforce(ip, KeyClass.IP)
        raise HTTPException(401, "missing bearer token", headers=_CHALLENGE)
    await limits.enforce(ip, KeyClass.IP, tokens=0)  # a throttled address may not even try a key
    principal = await authenticate(
        presented,
        bootstrap_key=services.settings.api_key,
        api_keys=services.api_keys,
        clock=services.clock,
        log=services.log,
    )
    if principal is None:
        await limits.charge(ip, KeyClass.IP)
        raise HTTPException(401, "invalid API key", headers=_CHALLENGE)
    await limits.enforce(principal.key_id, KeyClass.API_KEY)
    request.state.principal = principal
    return services


AuthorizedServices = Annotated[Services, Depends(require_api_key)]


def require_scope(scope: str) -> Callable[..., Awaitable[Services]]:
    """A dependency: an authenticated request whose key has `scope` (or "*"), else 403."""

    async def dependency(request: Request, services: AuthorizedServices) -> Services:
        principal: Principal = request.state.principal
        if not principal.allows(scope):
            raise ApiError(403, f"this API key lacks the {scope!r} scope", details={"required_scope": scope})
        return services

    return dependency


AdminServices = Annotated[Services, Depends(require_scope(ADMIN_SCOPE))]
