"""FastAPI dependencies: this request's services, built from the Worker env in the ASGI scope."""

from __future__ import annotations

from fastapi import Request

from shared.bootstrap import Services, bootstrap


def get_services(request: Request) -> Services:
    env = request.scope.get("env")
    if env is None:
        raise RuntimeError("no Worker env in the ASGI scope")
    return bootstrap(env, component="api", trace_id=getattr(request.state, "request_id", None))
