"""A local runtime served over real HTTP from a background thread, for tools that drive an API by URL.

The runtime and uvicorn live on the thread's own event loop (the emulators are bound to the loop they start on);
the test thread only sees a base URL. Time is a `ManualClock` that never moves unless a test moves it, so nothing
expires or refills behind the fuzzer's back.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from local.clock import ManualClock
from local.runtime import LocalRuntime
from local.server import create_dev_app

START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_runtime(root: Path, state_dir: Path, dev_vars: Path, extra_vars: dict[str, str]) -> Iterator[str]:
    """Yield the base URL of a started runtime; stop it (and its loop) on exit."""
    port = free_port()
    ready = threading.Event()
    failure: list[BaseException] = []
    holder: dict[str, object] = {}

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            ready.set()  # listening (or failed: then serve() returns and run() reports it)

    async def main() -> None:
        runtime = LocalRuntime(
            root, state_dir=state_dir, clock=ManualClock(), dev_vars=dev_vars, smtp_sink_port=0, d1_backend="sqlite",
            extra_vars=extra_vars,
        )  # fmt: skip
        await runtime.start(migrate=True)
        config = uvicorn.Config(
            create_dev_app(runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        server = Server(config)
        holder["server"] = server
        try:
            await server.serve()
        finally:
            await runtime.close()

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the test thread
            failure.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=run, name="contract-runtime", daemon=True)
    thread.start()
    ready.wait(START_TIMEOUT_S)
    server = holder.get("server")
    if failure or not isinstance(server, uvicorn.Server) or not server.started:
        raise RuntimeError(f"the local runtime did not start: {failure}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
