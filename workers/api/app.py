"""The FastAPI application factory. Built once per isolate, lazily (never at import time)."""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.errors import install_error_handlers
from api.middleware import RequestContextMiddleware
from api.routes import failed_tasks, health


def create_app(*, cors_origins: tuple[str, ...] = ()) -> FastAPI:
    app = FastAPI(title="Jengu", version="0.1.0", docs_url="/docs", openapi_url="/openapi.json")
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(failed_tasks.router)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-Id"],
            expose_headers=["ETag", "X-Request-Id", "Retry-After"],
        )
    app.add_middleware(RequestContextMiddleware)
    return app


@cache
def get_app(cors_origins: tuple[str, ...] = ()) -> FastAPI:
    return create_app(cors_origins=cors_origins)
