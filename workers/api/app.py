"""The FastAPI application factory. Built once per isolate, lazily (never at import time).

Middleware, outermost first: request id (echoed on every response, errors and 429s included) → CORS (answers
preflights itself, adds its headers to every response) → body size limit (413) → FastAPI (auth, rate limits,
routes, uniform errors). Per-deployment limits are read from the request's env (`scope_settings`), so one app
object serves any env; tests pass `settings` to pin them.
"""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.deps import scope_settings
from api.errors import install_error_handlers
from api.limits import BodySizeLimitMiddleware, Scope, body_limit_for
from api.middleware import RequestContextMiddleware
from shared.config import Settings

_DESCRIPTION = """Jengu's JSON API. Every `/api/*` route needs `Authorization: Bearer <key>` (the **Authorize**
button). Errors share one body: `{"error": {"code", "message", "details", "request_id"}}`. Requests are rate
limited per key (and per client address when unauthenticated): a 429 carries `Retry-After` in seconds."""


def create_app(*, cors_origins: tuple[str, ...] = (), settings: Settings | None = None) -> FastAPI:
    # The routes (their models, domain modules and FastAPI's dependency analysis) load with the app, on the fetch
    # door's first request: the Worker's top level stays a fixed cost however many routes are added (0012).
    from api.dashboard import campaigns as dashboard_campaigns
    from api.dashboard import imports as dashboard_imports
    from api.dashboard import inboxes as dashboard_inboxes
    from api.dashboard import overview, session_routes
    from api.dashboard import prospects as dashboard_prospects
    from api.dashboard import replies as dashboard_replies
    from api.dashboard import settings as dashboard_settings
    from api.dashboard import suppressions as dashboard_suppressions
    from api.dashboard.auth import install_session_handlers
    from api.dashboard.render import install_dashboard_errors
    from api.openapi import install_openapi
    from api.routes import (
        admin,
        api_keys,
        campaigns,
        emails,
        enrichment,
        enrollments,
        failed_tasks,
        health,
        imports,
        inbound,
        inbound_webhook,
        inboxes,
        notifications,
        previews,
        prospect_csv,
        prospects,
        status,
        suppressions,
        tracking,
        unsubscribe,
    )
    from api.security_headers import SecurityHeadersMiddleware

    app = FastAPI(
        title="Jengu", version="0.1.0", description=_DESCRIPTION, docs_url=None, openapi_url="/openapi.json",
        redirect_slashes=False,  # Starlette builds that redirect from the client's Host header
    )  # fmt: skip
    install_error_handlers(app)
    install_openapi(app)
    _install_docs(app)
    app.include_router(health.router)
    app.include_router(api_keys.router)
    app.include_router(failed_tasks.router)
    app.include_router(prospect_csv.router)  # before prospects: /export is not a prospect id
    app.include_router(prospects.router)
    app.include_router(imports.router)
    app.include_router(inboxes.router)
    app.include_router(status.router)
    app.include_router(admin.router)
    app.include_router(campaigns.router)
    app.include_router(enrollments.router)
    app.include_router(previews.router)
    app.include_router(suppressions.router)
    app.include_router(unsubscribe.router)  # /u/...: no API key, outside /api (RFC 8058)
    app.include_router(emails.router)
    app.include_router(tracking.router)  # /t/...: no API key (mail clients fetch it)
    app.include_router(notifications.router)  # /api/notifications, /api/admin/webhooks
    app.include_router(inbound.router)
    app.include_router(enrichment.router)  # /api/enrich, /api/prospects/{id}/enrichment
    app.include_router(inbound_webhook.router)  # /webhooks/inbound: no API key, an HMAC signature instead
    app.include_router(session_routes.router)  # the dashboard: /login, /logout (HTML, a session cookie)
    app.include_router(overview.router)  # /app/...
    app.include_router(dashboard_campaigns.router)  # /app/campaigns
    app.include_router(dashboard_inboxes.router)  # /app/inboxes
    app.include_router(dashboard_replies.router)  # /app/replies
    app.include_router(dashboard_settings.router)  # /app/settings
    app.include_router(dashboard_prospects.router)  # /app/prospects, /app/prospects/{id}
    app.include_router(dashboard_imports.router)  # /app/imports, /app/imports/{id}
    app.include_router(dashboard_suppressions.router)  # /app/suppressions
    install_dashboard_errors(app)  # after every JSON handler: HTML error pages on the dashboard's paths
    install_session_handlers(app)

    def limit_for(scope: Scope) -> int:
        current = settings or scope_settings(scope)
        return body_limit_for(current.max_body_bytes, current.max_import_bytes, str(scope.get("path", "")))

    app.add_middleware(BodySizeLimitMiddleware, limit_for=limit_for)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-Id"],
            expose_headers=["ETag", "X-Request-Id", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _install_docs(app: FastAPI) -> None:
    """`/` leads to the dashboard; `/docs` is Swagger UI from this site's own assets (/static/vendor/, vendored from
    npm at build time by scripts/vendor_assets.py), so it works offline."""
    from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
    from fastapi.responses import HTMLResponse, RedirectResponse

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=303)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="Jengu - Swagger UI", oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js", swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/vendor/favicon-32x32.png",
        )  # fmt: skip

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def docs_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


@cache
def get_app(cors_origins: tuple[str, ...] = ()) -> FastAPI:
    return create_app(cors_origins=cors_origins)
