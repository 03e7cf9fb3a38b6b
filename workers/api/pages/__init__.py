"""Server-rendered pages (jinja2 sources as Python strings: the Worker bundle carries only Python modules)."""
