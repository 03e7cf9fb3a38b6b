"""Bearer-key authentication for `/api/*`: the `API_KEY` secret is the bootstrap key, compared in constant time.

Missing or malformed credentials are 401 with `WWW-Authenticate: Bearer`; a wrong key is 401 too (no hint which).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.deps import get_services
from shared.bootstrap import Services

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="jengu"'}


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def require_api_key(request: Request, services: Annotated[Services, Depends(get_services)]) -> Services:
    presented = _presented_key(request)
    if presented is None:
        raise HTTPException(401, "missing bearer token", headers=_CHALLENGE)
    expected = services.settings.api_key
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise HTTPException(401, "invalid API key", headers=_CHALLENGE)
    return services


AuthorizedServices = Annotated[Services, Depends(require_api_key)]
