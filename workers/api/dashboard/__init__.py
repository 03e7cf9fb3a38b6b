"""The dashboard: server-rendered pages for people (jinja2 templates in `templates/`, static files in `public/`).

`render` (the environment, `page`/`fragment`, error pages), `auth` (sessions, CSRF, the `DashboardSession`
dependency), `session_routes` (login/logout), one module per page. Nothing here is imported before the app is built.
"""
