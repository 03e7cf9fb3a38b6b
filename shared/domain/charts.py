"""Inline SVG charts rendered on the server: a funnel (horizontal bars), sends per series per day as grouped bars
with each series' cap as a dashed line, and a sparkline.

Every chart is an `<svg role="img">` labelled by its `<title>` and `<desc>` (the desc states the figures in words,
so a screen reader gets the data); values are printed as text beside the marks, and series differ by pattern as
well as colour. Every piece of text that reaches the markup is stripped of characters XML forbids and escaped here,
which is why a template may mark the result `|safe`. Empty or all-zero data renders a readable "no data" chart.
Pure: no I/O, deterministic ids (a hash of the chart's content unless one is given).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f5fa8", "#b35900", "#2e7d32", "#7b3fa0", "#a3243b", "#4d4d4d")  # >= 4.5:1 on white
INK, MUTED, GRID = "#1a1a1a", "#555555", "#d0d0d0"
FONT = 'font-family="system-ui, sans-serif"'
LABEL_CHARS, LEGEND_CHARS = 22, 28
UNTITLED = {"funnel": "Funnel", "bars": "Bar chart", "spark": "Trend"}  # when a caller's title is blank
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float]
    cap: float | None = None  # drawn as a dashed line: the most this series may reach per day


def text(value: object) -> str:
    """Safe character data and attribute values: XML-forbidden characters removed, markup escaped."""
    return escape(_NOT_XML.sub("", str(value)), quote=True)


def clip(label: str, limit: int) -> str:
    label = " ".join(_NOT_XML.sub("", str(label)).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def number(value: float) -> float:
    """A value a chart can draw: non-finite and negative values count as 0."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return v if math.isfinite(v) and v > 0 else 0.0


def short(value: float) -> str:
    """A figure as a person reads it: 1,234; 12.3K; 4.5M; 7.1e+21 beyond trillions."""
    v = number(value)
    if v < 10_000:
        return f"{v:,.0f}" if v == int(v) else f"{v:,.1f}"
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= size:
            return f"{v / size:.1f}{unit}" if v < size * 1000 else f"{v:.1e}"
    return f"{v:,.0f}"


def _id(kind: str, *parts: object, given: str | None) -> str:
    if given:
        return re.sub(r"[^A-Za-z0-9_-]", "-", given)[:64] or "chart"
    digest = hashlib.blake2b(repr((kind, parts)).encode("utf-8", "replace"), digest_size=5).hexdigest()
    return f"chart-{kind}-{digest}"


def _svg(cid: str, kind: str, width: float, height: float, title: str, desc: str, body: str) -> str:
    title = " ".join(_NOT_XML.sub("", str(title)).split()) or UNTITLED[kind]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart chart-{kind}" id="{cid}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" height="{_f(height)}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{cid}-title {cid}-desc" {FONT}>'
        f'<title id="{cid}-title">{text(title)}</title><desc id="{cid}-desc">{text(desc)}</desc>{body}</svg>'
    )


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _empty(cid: str, kind: str, width: float, height: float, title: str, note: str) -> str:
    body = (
        f'<rect x="0.5" y="0.5" width="{_f(width - 1)}" height="{_f(height - 1)}" fill="none" stroke="{GRID}" '
        f'stroke-dasharray="4 3"/><text class="no-data" x="{_f(width / 2)}" y="{_f(height / 2 + 5)}" '
        f'text-anchor="middle" font-size="14" fill="{MUTED}">No data yet</text>'
    )
    return _svg(cid, kind, width, height, title, f"No data yet. {note}".strip(), body)


def funnel(stages: Sequence[tuple[str, float]], *, title: str = "Prospects by stage", width: int = 640,
           chart_id: str | None = None) -> str:  # fmt: skip
    """Horizontal bars, one per stage, in the given order; each bar's length is its value over the largest, and the
    text beside it gives the value and its share of the first stage."""
    rows = [(clip(name, LABEL_CHARS), str(name), number(v)) for name, v in stages]
    cid = _id("funnel", rows, title, given=chart_id)
    row_h, label_w, value_w, pad = 30, 160, 110, 8
    height = max(1, len(rows)) * row_h + 2 * pad
    if not rows or not any(v for *_, v in rows):
        return _empty(cid, "funnel", width, max(height, 80), title, "Nothing has reached any stage.")
    top = max(v for *_, v in rows)
    first = rows[0][2]
    bar_w = max(10.0, width - label_w - value_w - 2 * pad)
    parts, words = [], []
    for i, (shown, full, v) in enumerate(rows):
        y = pad + i * row_h
        length = bar_w * v / top
        share = f" ({v / first * 100:.0f}%)" if first and i else ""
        parts.append(
            f'<g class="stage"><title>{text(full)}: {text(short(v))}{text(share)}</title>'
            f'<text x="{label_w - 8}" y="{_f(y + row_h / 2 + 5)}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{text(shown)}</text>'
            f'<rect class="bar" x="{label_w}" y="{_f(y + 4)}" width="{_f(length)}" height="{row_h - 8}" '
            f'fill="{PALETTE[0]}" data-value="{_f(v)}"/>'
            f'<text class="value" x="{_f(label_w + length + 6)}" y="{_f(y + row_h / 2 + 5)}" font-size="13" '
            f'fill="{INK}">{text(short(v))}{text(share)}</text></g>'
        )
        words.append(f"{full}: {short(v)}{share}")
    return _svg(cid, "funnel", width, height, title, "; ".join(words) + ".", "".join(parts))


def _pattern(cid: str, i: int) -> tuple[str, str]:
    """A fill per series: solid, hatched one way, hatched the other, dotted; the colour cycles independently."""
    color, style = PALETTE[i % len(PALETTE)], i % 4
    if style == 0:
        return "", color
    pid = f"{cid}-p{i}"
    if style == 3:
        mark = '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>'
        rotate = ""
    else:
        mark = '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/>'
        rotate = f' patternTransform="rotate({45 if style == 1 else -45})"'
    return (
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="6" height="6"{rotate}>'
        f'<rect width="6" height="6" fill="{color}"/>{mark}</pattern>',
        f"url(#{pid})",
    )


def _scale_top(values: Sequence[float]) -> float:
    top = max(values, default=0.0)
    if top <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return step * magnitude if math.isfinite(step * magnitude) else top
    return top


def daily_bars(days: Sequence[str], series: Sequence[Series], *, title: str = "Sends per inbox per day",
               width: int = 720, height: int = 280, chart_id: str | None = None) -> str:  # fmt: skip
    """Grouped bars: per day one bar per series, heights on a shared scale from 0; each series' cap is a dashed
    line labelled with its value. Day labels are thinned to fit; every bar carries its figure in a tooltip."""
    names = [str(s.name) for s in series]
    grid = [[number(s.values[d]) if d < len(s.values) else 0.0 for d in range(len(days))] for s in series]
    caps = [number(s.cap) if s.cap is not None else None for s in series]
    cid = _id("bars", list(days), names, grid, caps, title, given=chart_id)
    total = sum(map(sum, grid))
    cap_words = "; ".join(f"{n}: cap {short(c)} a day" for n, c in zip(names, caps, strict=True) if c is not None)
    if not days or not series or total == 0:
        return _empty(cid, "bars", width, height, title, f"Nothing sent in these days. {cap_words}".strip())
    legend_h = 22 * math.ceil(len(series) / 3)
    left, right, top_pad, bottom = 52, 128, 12, 34 + legend_h  # room for "cap 1.2K Reservations"
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = _scale_top([v for row in grid for v in row] + [c for c in caps if c])
    group_w = plot_w / len(days)
    bar_w = max(1.0, (group_w * 0.8) / len(series))
    defs, fills = zip(*(_pattern(cid, i) for i in range(len(series))), strict=True)

    def y_of(v: float) -> float:
        return top_pad + plot_h - plot_h * v / top

    parts = [f"<defs>{''.join(defs)}</defs>"]
    for tick in (0.0, top / 2, top):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{_f(left + plot_w)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{_f(y + 4)}" text-anchor="end" font-size="11" '
                     f'fill="{MUTED}">{text(short(tick))}</text>')  # fmt: skip
    every = max(1, math.ceil(len(days) / max(1, plot_w // 48)))
    for d, day in enumerate(days):
        gx = left + d * group_w + group_w * 0.1
        for i, name in enumerate(names):
            v, x = grid[i][d], gx + i * bar_w
            y = y_of(v)
            cap = f" of {short(caps[i] or 0)}" if caps[i] is not None else ""
            parts.append(
                f'<rect class="bar" x="{_f(x)}" y="{_f(y)}" width="{_f(bar_w)}" height="{_f(top_pad + plot_h - y)}" '
                f'fill="{fills[i]}" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="0.5" data-value="{_f(v)}">'
                f"<title>{text(name)}, {text(day)}: {text(short(v))}{text(cap)}</title></rect>"
            )
            if v and bar_w >= 14:
                parts.append(f'<text class="value" x="{_f(x + bar_w / 2)}" y="{_f(y - 3)}" text-anchor="middle" '
                             f'font-size="10" fill="{INK}">{text(short(v))}</text>')  # fmt: skip
        if d % every == 0 or d == len(days) - 1:
            parts.append(
                f'<text x="{_f(left + d * group_w + group_w / 2)}" y="{_f(top_pad + plot_h + 16)}" '
                f'text-anchor="middle" font-size="11" fill="{MUTED}">{text(clip(day[-5:], 10))}</text>'
            )
    labelled: dict[float, list[str]] = {}
    for i, cap_value in enumerate(caps):
        if cap_value is None:
            continue
        labelled.setdefault(cap_value, []).append(names[i])
        y = y_of(cap_value)
        parts.append(f'<line class="cap" x1="{left}" x2="{_f(left + plot_w)}" y1="{_f(y)}" y2="{_f(y)}" '
                     f'stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="2" stroke-dasharray="6 4">'
                     f"<title>{text(names[i])}: cap {text(short(cap_value))} a day</title></line>")  # fmt: skip
    for cap_value, owners in labelled.items():
        who = clip(owners[0], 10) + (f" +{len(owners) - 1}" if len(owners) > 1 else "")
        parts.append(f'<text class="cap-label" x="{_f(left + plot_w + 4)}" y="{_f(y_of(cap_value) + 4)}" '
                     f'font-size="11" fill="{INK}">cap {text(short(cap_value))} {text(who)}</text>')  # fmt: skip
    for i, name in enumerate(names):
        lx, ly = left + (i % 3) * (plot_w / 3), height - legend_h + (i // 3) * 22 + 4
        parts.append(f'<rect x="{_f(lx)}" y="{_f(ly)}" width="14" height="14" fill="{fills[i]}" '
                     f'stroke="{PALETTE[i % len(PALETTE)]}"/><text x="{_f(lx + 20)}" y="{_f(ly + 12)}" '
                     f'font-size="12" fill="{INK}">{text(clip(name, LEGEND_CHARS))}</text>')  # fmt: skip
    words = [f"{n}: {short(sum(row))} in {len(days)} days, {short(row[-1])} on {days[-1]}"
             + (f" (cap {short(c)} a day)" if c is not None else "")
             for n, row, c in zip(names, grid, caps, strict=True)]  # fmt: skip
    return _svg(cid, "bars", width, height, title, f"{days[0]} to {days[-1]}. " + "; ".join(words) + ".",
                "".join(parts))  # fmt: skip


def sparkline(values: Sequence[float], *, label: str, width: int = 160, height: int = 32,
              chart_id: str | None = None) -> str:  # fmt: skip
    """A small trend line with its latest value printed at the end; the desc gives the low, high and latest."""
    points = [number(v) for v in values]
    cid = _id("spark", points, label, given=chart_id)
    if not points:
        return _empty(cid, "spark", width, height, label, "")
    value_w, pad = 44, 3
    line_w, line_h = width - value_w - 2 * pad, height - 2 * pad
    low, high = min(points), max(points)
    span = high - low

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + (line_w * i / (len(points) - 1) if len(points) > 1 else line_w / 2)
        y = pad + (line_h / 2 if span == 0 else line_h - line_h * (v - low) / span)
        return x, y

    coords = [xy(i, v) for i, v in enumerate(points)]
    last_x, last_y = coords[-1]
    body = (
        f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="1.5" '
        f'points="{" ".join(f"{_f(x)},{_f(y)}" for x, y in coords)}"/>'
        f'<circle cx="{_f(last_x)}" cy="{_f(last_y)}" r="2.5" fill="{PALETTE[0]}"/>'
        f'<text class="value" x="{_f(width - value_w + 2)}" y="{_f(height / 2 + 4)}" font-size="12" '
        f'fill="{INK}">{text(short(points[-1]))}</text>'
    )
    desc = f"{len(points)} values: low {short(low)}, high {short(high)}, latest {short(points[-1])}."
    return _svg(cid, "spark", width, height, label, desc, body)
