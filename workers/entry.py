"""Jengu's Worker entry point: four handlers, each converting platform objects and delegating.

fetch     -> api (FastAPI through the SDK's ASGI bridge)
scheduled -> scheduler.jobs.tick(cron)
queue     -> consumers.dispatch.handle_batch(batch) (dispatch on batch.queue)
email     -> store the raw message in D1, then the `inbound` queue

The Durable Object classes are imported here so the runtime exports them. Nothing is built at import time.

Startup budget (decision 0012): the top level holds what every door needs (the SDK, the composition root) plus
FastAPI, the fetch door's framework, so the deploy snapshot has them; what only one door uses is imported in its
handler, on first use. `make bench` measures it; tests/unit/test_startup_imports.py guards it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import asgi
from workers import Response, WorkerEntrypoint

from api.app import get_app
from api.limits import declared_over_limit, too_large_response_parts
from api.middleware import request_id_or_new
from durable_objects.dedup.shell import Dedup
from durable_objects.inbox_health.shell import InboxHealth
from durable_objects.prospect_lock.shell import ProspectLock
from durable_objects.provider_breaker.shell import ProviderBreaker
from durable_objects.rate_limiter.shell import RateLimiter
from durable_objects.warmup.shell import WarmupManager
from shared.bootstrap import bootstrap
from shared.config import Settings

__all__ = ["Dedup", "Default", "InboxHealth", "ProspectLock", "ProviderBreaker", "RateLimiter", "WarmupManager"]


class Default(WorkerEntrypoint):
    async def fetch(self, request: Any) -> Response:
        settings = Settings.from_env(self.env)
        path = urlsplit(request.url).path
        too_large = declared_over_limit(
            request.headers.get("content-length"), path, settings.max_body_bytes, settings.max_import_bytes
        )
        if too_large is not None:  # refused before asgi.fetch buffers the body (api/limits.py: the memory budget)
            request_id = request_id_or_new(request.headers.get("x-request-id"))
            body, headers = too_large_response_parts(too_large, request_id, path)
            return Response(body, status=413, headers=headers)
        app = get_app(settings.cors_origins)
        return await asgi.fetch(app, request.js_object, self.env)

    async def scheduled(self, controller: Any, env: Any = None, ctx: Any = None) -> None:
        from scheduler.jobs import tick
        from shared.platform.cloudflare import scheduled_event

        cron, scheduled_at = scheduled_event(controller)
        services = bootstrap(self.env, component="scheduler")
        services = services.with_trace(services.ids.new_id())
        await tick(cron, scheduled_at, services)

    async def queue(self, batch: Any, env: Any = None, ctx: Any = None) -> None:
        from consumers.dispatch import handle_batch

        await handle_batch(batch, bootstrap(self.env, component="consumer"))

    async def email(self, message: Any, env: Any = None, ctx: Any = None) -> None:
        from contextlib import aclosing

        from shared.platform.cloudflare import email_recipient, email_sender, raw_email_chunks
        from shared.service_layer.inbound import receive_email

        services = bootstrap(self.env, component="email")
        services = services.with_trace(services.ids.new_id())
        async with aclosing(raw_email_chunks(message)) as raw:  # streamed into D1, never held whole
            await receive_email(
                mail_from=email_sender(message),
                rcpt_to=email_recipient(message),
                raw=raw,
                inbound=services.inbound,
                publisher=services.publisher,
                clock=services.clock,
                ids=services.ids,
                log=services.log,
            )
