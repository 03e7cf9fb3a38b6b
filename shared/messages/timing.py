"""`EpochSeconds`: the `now` every Durable Object request carries — finite seconds since the epoch, from the caller."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("now must be a finite number of epoch seconds")
    return value


EpochSeconds = Annotated[float, AfterValidator(_finite)]
