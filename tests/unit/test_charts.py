"""The server-rendered SVG charts: well-formed XML, accessible (role, title, desc, text figures), bars proportional
to the values, every label escaped, and readable with empty, zero, huge or hostile data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain import charts
from shared.domain.charts import Series

NS = "{http://www.w3.org/2000/svg}"
DAYS = ["2026-12-01", "2026-12-02", "2026-12-03"]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None and (title.text or "").strip() and (desc.text or "").strip()
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{NS}rect") if e.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{NS}text")]


def test_funnel_bars_are_proportional_and_figures_are_printed() -> None:
    root = parse(charts.funnel([("new", 200), ("enriched", 100), ("contacted", 50), ("won", 0)]))
    widths = [float(b.get("width", "")) for b in bars(root)]
    assert widths[0] > 0 and widths[1] == pytest.approx(widths[0] / 2) and widths[2] == pytest.approx(widths[0] / 4)
    assert widths[3] == 0
    shown = texts(root)
    assert "new" in shown and "200" in shown and "100 (50%)" in shown and "0 (0%)" in shown
    assert "enriched: 100 (50%)" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


def test_daily_bars_share_one_scale_and_draw_each_cap_as_a_labelled_line() -> None:
    svg = charts.daily_bars(DAYS, [Series("Maya", [10, 5, 0], cap=20), Series("Ola", [20, 0, 1], cap=40)])
    root = parse(svg)
    heights = {(b.find(f"{NS}title").text or ""): float(b.get("height", "")) for b in bars(root)}  # type: ignore[union-attr]
    assert heights["Maya, 2026-12-01: 10 of 20"] == pytest.approx(2 * heights["Maya, 2026-12-02: 5 of 20"])
    assert heights["Ola, 2026-12-01: 20 of 40"] == pytest.approx(2 * heights["Maya, 2026-12-01: 10 of 20"])
    assert heights["Maya, 2026-12-03: 0 of 20"] == 0
    caps = [e for e in root.iter(f"{NS}line") if e.get("class") == "cap"]
    assert len(caps) == 2 and float(caps[0].get("y1", "")) > float(caps[1].get("y1", ""))  # 20 sits below 40
    shown = texts(root)
    assert "cap 20 Maya" in shown and "cap 40 Ola" in shown and "Maya" in shown and "Ola" in shown
    desc = root.find(f"{NS}desc").text or ""  # type: ignore[union-attr]
    assert "Maya: 15 in 3 days, 0 on 2026-12-03 (cap 20 a day)" in desc


def test_series_differ_by_pattern_not_only_by_colour() -> None:
    root = parse(charts.daily_bars(DAYS, [Series(f"inbox {i}", [i + 1] * 3) for i in range(4)]))
    fills = {b.get("fill") for b in bars(root)}
    assert len(fills) == 4 and sum(1 for f in fills if (f or "").startswith("url(#")) == 3
    assert len(list(root.iter(f"{NS}pattern"))) == 3


def test_sparkline_prints_the_latest_value_and_describes_the_range() -> None:
    root = parse(charts.sparkline([3, 9, 4], label="Replies per day"))
    assert "4" in texts(root)
    assert root.find(f"{NS}desc").text == "3 values: low 3, high 9, latest 4."  # type: ignore[union-attr]
    points = root.find(f"{NS}polyline").get("points", "").split()  # type: ignore[union-attr]
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[1] < ys[2] < ys[0]  # higher values draw higher


@pytest.mark.parametrize(
    "svg",
    [
        charts.funnel([]),
        charts.funnel([("new", 0), ("won", 0)]),
        charts.daily_bars([], []),
        charts.daily_bars(DAYS, [Series("Maya", [0, 0, 0], cap=20)]),
        charts.daily_bars(DAYS, []),
        charts.sparkline([], label="Bounces"),
    ],
)
def test_no_data_renders_a_readable_chart(svg: str) -> None:
    root = parse(svg)
    assert "No data yet" in texts(root) and not bars(root)
    assert (root.find(f"{NS}desc").text or "").startswith("No data yet")  # type: ignore[union-attr]


def test_every_label_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & \x00\x1b'
    for svg in (
        charts.funnel([(hostile, 3)], title=hostile),
        charts.daily_bars([hostile, "2026-12-02"], [Series(hostile, [1, 2], cap=3)], title=hostile),
        charts.sparkline([1, 2], label=hostile),
        charts.funnel([], title=hostile),
    ):
        assert "<script" not in svg and "&lt;script&gt;" in svg
        root = parse(svg)
        assert not list(root.iter("script")) and not list(root.iter(f"{NS}script"))
        assert root.find(f"{NS}title").text == '<script>alert("x")</script> &'  # type: ignore[union-attr]


def test_huge_values_and_long_labels_stay_inside_the_chart() -> None:
    name = "A very long inbox name that goes on and on " * 5
    root = parse(charts.funnel([(name, 10**30), ("enriched", 10**29), ("won", 7)]))
    widths = [float(b.get("width", "")) for b in bars(root)]
    assert widths[0] <= 640 and widths[1] == pytest.approx(widths[0] / 10)
    shown = texts(root)
    assert "1.0e+30" in shown and all(len(t) < 40 for t in shown)
    root = parse(charts.daily_bars(DAYS * 10, [Series(name, [10**18] * 30, cap=10**19)]))
    view_h = float(root.get("height", ""))
    assert all(0 <= float(b.get("y", "")) <= view_h for b in bars(root))
    assert all(len(t) <= 40 for t in texts(root))


def test_non_finite_and_negative_values_draw_as_zero() -> None:
    root = parse(charts.funnel([("new", float("nan")), ("won", -5), ("lost", float("inf")), ("x", 2)]))
    assert [float(b.get("width", "")) for b in bars(root)][:3] == [0, 0, 0]


def test_the_same_chart_gets_the_same_id_and_a_given_id_is_sanitised() -> None:
    assert charts.funnel([("new", 1)]) == charts.funnel([("new", 1)])
    root = parse(charts.funnel([("new", 1)], chart_id='x" onload="bad'))
    assert root.get("id") == "x--onload--bad" and root.get("onload") is None


def test_the_largest_floats_still_scale() -> None:
    root = parse(charts.daily_bars(DAYS, [Series("x", [1.7e308, 1.0, 0.0], cap=1e308)]))
    assert [float(b.get("height", "")) for b in bars(root)][2] == 0


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.text(max_size=60), min_size=1, max_size=6),
    values=st.lists(st.one_of(st.integers(-10, 10**20), st.floats(allow_nan=True)), min_size=1, max_size=20),
)
def test_any_labels_and_values_give_well_formed_svg(labels: list[str], values: list[float]) -> None:
    parse(charts.funnel(list(zip(labels, values, strict=False))))
    parse(charts.daily_bars(labels, [Series(label, values, cap=values[0]) for label in labels[:3]]))
    parse(charts.sparkline(values, label=labels[0]))
