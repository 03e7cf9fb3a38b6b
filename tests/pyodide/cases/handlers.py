"""The entry's conversions on what workerd hands each handler: queue batch, ScheduledController, email, send_email.

Each handler is called the way workerd calls it (`runtime.workerd.call`: workerd's own `wrapper_func`), on a
`WorkerEntrypoint` built from JS `(ctx, env)`, and uses the same functions `workers/entry.py` does.
"""

from __future__ import annotations

import json
from typing import Any

RAW_EMAIL = "From: Hannah <hannah@hotel.example>\r\nTo: in@jengu.example\r\nSubject: Re: Zimmer ✓\r\n\r\nJa, gerne!\r\n"

BATCH = [
    {"id": "m-ok", "body": '{"type":"ok"}', "attempts": 1},
    {"id": "m-retry", "body": '{"type":"fail"}', "attempts": 2},
    {"id": "m-json", "body": {"type": "object body", "n": 1}, "attempts": 1},
]


def _entrypoint(js_env: Any) -> Any:
    import jengu_mocks
    from workers import WorkerEntrypoint

    from shared.platform.cloudflare import email_recipient, email_sender, raw_email_chunks, scheduled_event

    seen: dict[str, Any] = {}

    class Default(WorkerEntrypoint):
        async def queue(self, batch: Any, env: Any = None, ctx: Any = None) -> None:
            # What consumers/dispatch.py does with a batch: queue name, each message's fields, then
            # ack / retry(delaySeconds=...) / retry() per message, retryAll() for an unknown queue.
            seen["queue"] = str(batch.queue)
            seen["env_ctx"] = [env, ctx]
            for message in batch.messages:
                fields = {"id": str(message.id), "attempts": int(message.attempts), "body": message.body}
                seen.setdefault("messages", []).append(fields | {"body_type": type(message.body).__name__})
                if message.id == "m-ok":
                    message.ack()
                elif message.id == "m-retry":
                    message.retry(delaySeconds=30)
                else:
                    message.retry()
            batch.retryAll()
            batch.retryAll(delaySeconds=5)

        async def scheduled(self, controller: Any, env: Any = None, ctx: Any = None) -> None:
            cron, at = scheduled_event(controller)
            seen["scheduled"] = {"cron": cron, "at": at.isoformat(), "tz": str(at.tzinfo)}

        async def email(self, message: Any, env: Any = None, ctx: Any = None) -> None:
            from contextlib import aclosing

            async with aclosing(raw_email_chunks(message)) as stream:
                pieces = [piece async for piece in stream]
            raw = b"".join(pieces)
            seen["email"] = {
                "from": email_sender(message),
                "to": email_recipient(message),
                "raw": raw.decode("utf-8"),
                "raw_type": sorted({type(piece).__name__ for piece in pieces}),
                "pieces": len(pieces),
                "raw_size": int(message.rawSize),
                "subject": str(message.headers.get("subject")),
            }
            message.setReject("550 5.7.1 not accepted here")

    return Default(jengu_mocks.ExecutionContext.new(), js_env), seen


async def queue_batch() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import call, calls

    entry, seen = _entrypoint(jengu_mocks.makeEnv())
    await call(entry, "queue", jengu_mocks.makeBatch("jengu-inbound", json.dumps(BATCH)))
    return {"seen": seen, "calls": calls()}


async def scheduled() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import call

    entry, seen = _entrypoint(jengu_mocks.makeEnv())
    await call(entry, "scheduled", jengu_mocks.ScheduledController.new("*/5 * * * *", 1_767_225_900_123))
    return seen


async def email(plain: bool = False) -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import call, calls

    entry, seen = _entrypoint(jengu_mocks.makeEnv())
    message = jengu_mocks.makeEmail("hannah@hotel.example", "in@jengu.example", RAW_EMAIL, plain)
    await call(entry, "email", message)
    return {"seen": seen, "calls": calls()}


async def email_as_miniflare_gives_it() -> dict[str, Any]:
    return await email(plain=True)


async def send_email() -> dict[str, Any]:
    """`shared.platform.cloudflare.send_email` with a builder, and what a raw Python dict would have done."""
    import jengu_mocks
    from runtime.workerd import calls
    from workers import _EnvWrapper

    from shared.platform.cloudflare import send_email as send

    env = _EnvWrapper(jengu_mocks.makeEnv())
    builder = {
        "from": {"email": "outreach@jengu.example", "name": "Jengu"},
        "to": ["hannah@hotel.example"],
        "subject": "Zimmer ✓",
        "text": "Hallo",
        "headers": {"X-Jengu-Lead": "17"},
    }
    out: dict[str, Any] = {"sent": await send(env.EMAIL, builder), "sent_calls": calls()}
    jengu_mocks.reset()
    try:
        await env.EMAIL.send(builder)  # what the adapter must not do
    except Exception as exc:
        out["raw_dict"] = {"error": type(exc).__name__, "message": str(exc)}
    out["raw_dict_calls"] = calls()
    return out
