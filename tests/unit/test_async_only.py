"""No thread pool in the API: every route, dependency (sub-, security and class dependencies included), endpoint
and exception handler of the real app is a coroutine function (or an async generator).

FastAPI and Starlette run any plain `def` callable through anyio's thread pool; real Pyodide has no threads
(`can't start new thread`), so one sync callable is a request that fails on Workers (decision 0014). The walk covers
whatever routes `create_app()` registers, including ones added later.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from api.app import create_app


def is_async_callable(call: Any) -> bool:
    """True when calling `call` gives a coroutine or async generator without running code in a thread."""
    if inspect.isclass(call):
        return False  # a class dependency's __init__ runs in the thread pool
    target = inspect.unwrap(call)
    while hasattr(target, "func") and hasattr(target, "args"):  # functools.partial
        target = target.func
    if inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target):
        return True
    if inspect.isfunction(target) or not callable(target):
        return False
    method = type(target).__call__
    return inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)


def dependant_calls(dependant: Dependant, trail: str) -> Iterator[tuple[str, Callable[..., Any]]]:
    if dependant.call is not None:
        yield trail, dependant.call
    for sub in dependant.dependencies:
        yield from dependant_calls(sub, f"{trail} -> {getattr(sub.call, '__qualname__', sub.call)!s}")


def effective_routes(app: FastAPI) -> Iterator[Any]:
    """Every route as it serves requests: included routers flattened, their prefixes and dependencies applied."""
    try:
        from fastapi.routing import iter_route_contexts  # fastapi >= 0.16x keeps included routers lazily
    except ImportError:  # older fastapi copies routes into app.routes
        yield from app.routes
        return
    yield from iter_route_contexts(app.routes)


def app_callables(app: FastAPI) -> Iterator[tuple[str, Callable[..., Any]]]:
    for route in effective_routes(app):
        dependant = getattr(route, "dependant", None)
        if isinstance(dependant, Dependant):
            yield from dependant_calls(dependant, f"{sorted(route.methods or ())} {route.path}")
        elif (endpoint := getattr(route, "endpoint", None)) is not None:
            yield f"{route.path} (endpoint)", endpoint
        else:
            raise AssertionError(f"cannot check route {route!r}")
    for kind, handler in app.exception_handlers.items():
        yield f"exception handler for {kind}", handler


def test_every_route_dependency_and_handler_is_async() -> None:
    app = create_app()
    found = list(app_callables(app))
    assert len(found) > 50  # the walk reached the dependency trees, not just the endpoints
    sync = sorted(
        {f"{where}: {getattr(call, '__qualname__', call)!r}" for where, call in found if not is_async_callable(call)}
    )
    assert sync == []


def test_the_walk_reaches_security_and_sub_dependencies() -> None:
    app = create_app()
    names = {getattr(call, "__qualname__", type(call).__qualname__) for _, call in app_callables(app)}
    assert {"get_services", "require_api_key", "prospect_query", "prospect_service", "HTTPBearer"} <= names


def test_the_check_recognises_sync_callables() -> None:
    class AsyncInstance:
        async def __call__(self) -> None: ...

    class SyncInstance:
        def __call__(self) -> None: ...

    async def coroutine() -> None: ...

    async def agen() -> Any:
        yield

    def plain() -> None: ...

    def gen() -> Any:
        yield

    assert [is_async_callable(c) for c in (coroutine, agen, AsyncInstance())] == [True, True, True]
    assert [is_async_callable(c) for c in (plain, gen, SyncInstance(), AsyncInstance, lambda: None)] == [False] * 5
