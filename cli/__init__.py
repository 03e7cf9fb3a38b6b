"""The `jengu` command line (CPython only, never bundled): a Typer app over the HTTP API, with Rich output."""
