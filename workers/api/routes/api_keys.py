"""`/api/keys`: create (the key is shown once), list (never secrets) and revoke API keys. Admin scope required."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AdminServices
from api.limits import require_content_type
from api.openapi import HAS_TEXT, error_responses
from shared.domain.api_keys import ApiKey
from shared.service_layer.api_keys import MAX_NAME_LENGTH, create_api_key, revoke_api_key

router = APIRouter(prefix="/api/keys", tags=["api keys"], responses=error_responses(403))

JsonBody = Depends(require_content_type("application/json"))


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=HAS_TEXT)]
    scopes: Annotated[
        list[Literal["*", "admin"]],
        Field(description='"admin" manages keys, "*" is everything; no scopes = every non-admin route'),
    ] = []


class ApiKeyCreated(ApiKey):
    key: str = Field(description="the plaintext key: shown once, store it now")


class ApiKeyList(BaseModel):
    items: list[ApiKey]


@router.post("", status_code=201, dependencies=[JsonBody])
async def create_key(body: ApiKeyIn, services: AdminServices) -> ApiKeyCreated:
    key, plaintext = await create_api_key(
        body.name, body.scopes, api_keys=services.api_keys, clock=services.clock, ids=services.ids, log=services.log
    )
    return ApiKeyCreated(**key.model_dump(), key=plaintext)


@router.get("")
async def list_keys(services: AdminServices) -> ApiKeyList:
    return ApiKeyList(items=await services.api_keys.list())


@router.delete("/{key_id}", status_code=204, responses=error_responses(404))
async def revoke_key(key_id: Annotated[str, Path(max_length=64)], services: AdminServices) -> Response:
    await revoke_api_key(key_id, api_keys=services.api_keys, clock=services.clock, log=services.log)
    return Response(status_code=204)
