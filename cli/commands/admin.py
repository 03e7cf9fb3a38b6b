"""`jengu emergency-stop [on|off]`: the switch every sender checks before each email (admin key)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from cli.commands import JsonOpt, session
from cli.commands.status import stop_line

HELP = "Show the emergency stop, or switch it: 'on' stops every send at once, 'off' lets sending go on."


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


async def emergency_stop(
    ctx: typer.Context,
    switch: Annotated[Switch | None, typer.Argument(help="on or off; without it, the current state.")] = None,
    json_: JsonOpt = False,
) -> None:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        if switch is None:
            body: Any = await client.get("/api/admin/emergency-stop")
        else:
            body = await client.post("/api/admin/emergency-stop", {"enabled": switch is Switch.ON})
    out.result(body, lambda: out.text(stop_line(body)))
