"""The `jengu` Typer app: global options, command registration, and the in-process runner with exit codes.

`run_async(argv, deps)` is the whole CLI as a coroutine (tests call it with an ASGI transport onto the local
runtime); `main()` is the console entry. Commands are `async def`: Typer calls them, they return a coroutine, and
the runner awaits it, so one event loop serves the whole invocation and never a thread.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # typer vendors click

from cli.client import EXIT_API, EXIT_USAGE, CliError
from cli.commands import (
    Deps,
    Session,
    admin,
    campaigns,
    demo,
    enrich,
    imports,
    inboxes,
    prospects,
    replies,
    status,
    suppressions,
)
from cli.config import ConfigError

HELP = """Jengu from the command line: imports, prospects, enrichment, campaigns, inboxes, replies and status.

The server is --url, else JENGU_URL, else `url` in the config file (JENGU_CONFIG or ~/.config/jengu/config.toml),
else http://127.0.0.1:8787 (`make dev`). The key is --key, else JENGU_API_KEY, else `key` in the config file, else
(for a local URL) API_KEY from the repo's .dev.vars.
"""
EPILOG = (
    "Exit codes: 0 ok; 1 the API refused the request (4xx); 2 bad command line or configuration; 3 the server "
    "cannot be reached or failed (5xx); 4 partly done (an import with row errors). Errors are one line on stderr: "
    "'error: <code>: <message>'. Add --json to any command for the API's JSON."
)

app = typer.Typer(
    name="jengu", help=HELP, epilog=EPILOG, no_args_is_help=True, add_completion=False,
    pretty_exceptions_enable=False, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
)  # fmt: skip


@app.callback()
def root(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option("--url", help="The API's base URL.", metavar="URL")] = None,
    key: Annotated[str | None, typer.Option("--key", help="The API key (Bearer).", metavar="KEY")] = None,
) -> None:
    obj = ctx.obj if isinstance(ctx.obj, Session) else Session()
    obj.url, obj.key = url, key
    ctx.obj = obj


app.command("import", help=imports.HELP, epilog=EPILOG)(imports.import_file)
app.command("enrich", help=enrich.HELP, epilog=EPILOG)(enrich.enrich)
app.command("replies", help=replies.HELP, epilog=EPILOG)(replies.replies)
app.command("status", help=status.HELP, epilog=EPILOG)(status.status)
app.command("emergency-stop", help=admin.HELP, epilog=EPILOG)(admin.emergency_stop)
app.command("demo", help=demo.HELP, epilog=EPILOG)(demo.demo)
app.add_typer(prospects.app, name="prospects")
app.add_typer(campaigns.app, name="campaigns")
app.add_typer(inboxes.app, name="inboxes")
app.add_typer(suppressions.app, name="suppressions")


def _usage_line(exc: UsageError) -> str:
    where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
    return f"error: usage: {' '.join(exc.format_message().split())}{where}"


async def run_async(argv: Sequence[str], deps: Deps | None = None) -> int:
    """Run one `jengu` command line in-process; returns the exit code (never raises, never prints a traceback)."""
    obj = Session(deps or Deps())
    err = obj.deps.err or sys.stderr
    try:
        command = typer.main.get_command(app)
        result = command.main(args=list(argv), prog_name="jengu", standalone_mode=False, obj=obj)
        if inspect.isawaitable(result):
            result = await result
        return result if isinstance(result, int) else 0
    except CliError as exc:
        err.write(exc.line() + "\n")
        return exc.exit_code
    except NoArgsIsHelpError as exc:  # `jengu prospects`: its help, as --help shows it
        (obj.deps.out or sys.stdout).write(exc.format_message() + "\n")
        return EXIT_USAGE
    except UsageError as exc:
        err.write(_usage_line(exc) + "\n")
        return EXIT_USAGE
    except ConfigError as exc:
        err.write(f"error: config: {exc}\n")
        return EXIT_USAGE
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt, asyncio.CancelledError):
        err.write("error: interrupted: stopped by the user\n")
        return 130
    except ClickException as exc:
        err.write(f"error: usage: {exc.format_message()}\n")
        return exc.exit_code or EXIT_USAGE
    except Exception as exc:  # never a traceback: name what broke, on one line
        err.write(f"error: internal: {type(exc).__name__}: {' '.join(str(exc).split())}\n")
        return EXIT_API


def main() -> None:
    try:
        code = asyncio.run(run_async(sys.argv[1:]))
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
