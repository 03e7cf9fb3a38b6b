"""Campaign models: defaults, the shapes they refuse, the rules beyond the schema, template checks of steps, and
the JSON Schema of a step agreeing with the model about which variant fields each kind takes."""

from __future__ import annotations

from typing import Any, get_args

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.domain.campaigns.models import (
    CampaignCreate,
    CampaignSettings,
    CampaignUpdate,
    StepPatch,
    StepSpec,
    Strategy,
    Variant,
    settings_problems,
    step_problems,
)
from shared.domain.campaigns.step_rules import content_problems
from shared.domain.composition.prompts import STRATEGIES

HELLO = {"subject": "Hello {{ first_name }}", "body": "Hi {{ prospect.first_name or 'there' }}"}


def test_defaults_are_the_conservative_ones() -> None:
    s = CampaignSettings()
    assert (s.timezone, s.skip_holidays, s.daily_cap, s.language) == ("UTC", True, None, None)
    assert (s.window.weekdays, s.window.start, s.window.end) == (["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")
    assert (s.tracking.opens, s.tracking.clicks) == (False, False)
    assert (s.stop.on_reply, s.stop.on_auto_reply, s.stop.on_bounce, s.stop.on_unsubscribe, s.stop.company) == (
        "stop",
        "pause",
        "stop",
        "stop",
        False,
    )


def test_the_strategies_are_compositions() -> None:
    assert set(get_args(Strategy)) == set(STRATEGIES)


def test_weekdays_are_deduplicated_in_week_order_and_instants_are_utc() -> None:
    s = CampaignSettings.model_validate(
        {"window": {"weekdays": ["fri", "mon", "fri"]}, "schedule_start": "2026-03-01T10:00:00+02:00"}
    )
    assert s.window.weekdays == ["mon", "fri"]
    assert s.schedule_start is not None and s.schedule_start.isoformat() == "2026-03-01T08:00:00+00:00"
    naive = CampaignSettings.model_validate({"schedule_end": "2026-03-01T10:00:00"})
    assert naive.schedule_end is not None and naive.schedule_end.utcoffset() is not None


@pytest.mark.parametrize(
    "data",
    [
        {"delay": "3", "variants": [HELLO]},
        {"delay": True, "variants": [HELLO]},
        {"delay": 3.5, "variants": [HELLO]},
        {"delay": 366, "variants": [HELLO]},
        {"variants": [{**HELLO, "weight": "1"}]},
        {"variants": [{**HELLO, "weight": float("inf")}]},
        {"variants": [{**HELLO, "weight": -0.5}]},
        {"variants": [{**HELLO, "key": "AA"}]},
        {"variants": []},
        {"variants": [HELLO] * 27},
        {"kind": "ai", "variants": [{"strategy": "cold_direct", "prompt": "both"}]},
        {"kind": "ai", "variants": [{}]},
        {"kind": "email", "variants": [HELLO]},
        {"variants": [{"subject": "only a subject"}]},
        {"variants": [HELLO], "colour": "red"},
    ],
)
def test_bad_step_shapes_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StepSpec.model_validate(data)


def test_a_whole_float_is_a_whole_number() -> None:
    assert StepSpec.model_validate({"delay": 3.0, "variants": [HELLO]}).delay == 3


@pytest.mark.parametrize(
    "data",
    [
        {"stop": {"on_unsubscribe": "continue"}},
        {"stop": {"on_reply": "pause"}},
        {"tracking": {"opens": 1}},
        {"daily_cap": 0},
        {"daily_cap": 10_001},
        {"language": "english"},
        {"window": {"start": "9:00"}},
        {"window": {"end": "24:01"}},
        {"window": {"weekdays": []}},
        {"window": {"weekdays": ["monday"]}},
        {"schedule_start": 1767225600},
    ],
)
def test_bad_settings_shapes_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CampaignSettings.model_validate(data)


def test_create_cleans_text_and_patch_refuses_nulls_where_they_mean_nothing() -> None:
    created = CampaignCreate.model_validate({"name": " Spring\u200b  push ", "inbox_ids": ["a", "b", "a"]})
    assert (created.name, created.inbox_ids) == ("Spring push", ["a", "b"])
    with pytest.raises(ValidationError):
        CampaignCreate.model_validate({"name": "\u200b "})
    for field in ("name", "settings", "inbox_ids"):
        with pytest.raises(ValidationError):
            CampaignUpdate.model_validate({field: None})
    assert CampaignUpdate.model_validate({"description": None}).changes() == {"description": None}
    patch = CampaignUpdate.model_validate({"settings": {"window": {"end": "20:00"}}})
    assert patch.changes() == {"settings": {"window": {"end": "20:00"}}}
    assert StepPatch.model_validate({"delay": 2}).changes() == {"delay": 2}
    with pytest.raises(ValidationError):
        StepPatch.model_validate({"variants": None})


def test_settings_rules_beyond_the_schema() -> None:
    assert settings_problems(CampaignSettings()) == []
    assert settings_problems(CampaignSettings.model_validate({"window": {"start": "09:00", "end": "24:00"}})) == []
    bad = CampaignSettings.model_validate(
        {
            "timezone": "Europe/Atlantis",
            "window": {"start": "17:00", "end": "09:00"},
            "schedule_start": "2026-03-01T00:00:00Z",
            "schedule_end": "2026-03-01T00:00:00Z",
        }
    )
    assert [p["field"] for p in settings_problems(bad)] == [
        "settings.timezone",
        "settings.window",
        "settings.schedule_end",
    ]


def test_step_rules_beyond_the_schema() -> None:
    zero = StepSpec.model_validate({"variants": [{**HELLO, "weight": 0}, {**HELLO, "key": "B", "weight": 0}]})
    assert [p["message"] for p in step_problems(zero, "steps.0")] == ["at least one variant needs a weight above 0"]
    twice = StepSpec.model_validate({"variants": [HELLO, {**HELLO, "weight": 0}]})
    [duplicate] = step_problems(twice)
    assert (duplicate["field"], "A repeated" in duplicate["message"]) == ("variants", True)
    assert step_problems(StepSpec.model_validate({"variants": [{**HELLO, "weight": 0}, {**HELLO, "key": "B"}]})) == []


@pytest.mark.parametrize(
    ("variant", "field", "kind", "line"),
    [
        ({"subject": "Hi", "body": "line one\n{{ first_name }\n"}, "body", "syntax", 2),
        ({"subject": "{{ shoe_size }}", "body": "x"}, "subject", "undefined", 1),
        ({"subject": "Hi", "body": "{{ ''.__class__.__mro__ }}"}, "body", "security", 1),
        ({"subject": "Hi", "body": "{{ self.__init__.__globals__ }}"}, "body", None, None),
        ({"subject": "Hi", "body": "{{ prospect.frist_name }}"}, "body", "undefined", 1),
    ],
)
def test_template_problems_name_field_kind_and_line(
    variant: dict[str, Any], field: str, kind: str | None, line: int | None
) -> None:
    step = StepSpec.model_validate({"variants": [variant]})
    [found] = content_problems(step, "steps.2")
    assert found["field"] == f"steps.2.variants.0.{field}"
    assert found["variant"] == "A" and found["message"]
    if kind is not None:
        assert (found["kind"], found["line"]) == (kind, line)
    else:
        assert found["kind"] in ("security", "undefined")


def test_prompts_may_use_the_prompt_variables_and_fallbacks_are_checked() -> None:
    ok = StepSpec.model_validate(
        {"kind": "ai", "variants": [{"prompt": "Facts:\n{{ facts }}\nStep {{ step }} to {{ first_name }}"}]}
    )
    assert content_problems(ok) == []
    bad = StepSpec.model_validate(
        {
            "kind": "ai",
            "variants": [{"strategy": "cold_direct", "fallback_subject": "{{ facts }}", "fallback_body": "x"}],
        }
    )
    [found] = content_problems(bad)
    assert (found["field"], found["kind"]) == ("variants.0.fallback_subject", "undefined")


# -- the step's JSON Schema and the model agree on which fields each kind takes -------------------------------------
VALIDATOR = jsonschema_rs.Draft202012Validator(StepSpec.model_json_schema())
FIELD_VALUES = {
    "subject": st.sampled_from([None, "Hi"]),
    "body": st.sampled_from([None, "Body"]),
    "strategy": st.sampled_from([None, "cold_direct"]),
    "prompt": st.sampled_from([None, "Write to {{ first_name }}"]),
}


@st.composite
def variant_shapes(draw: st.DrawFn) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    for name, values in FIELD_VALUES.items():
        if draw(st.booleans()):
            shape[name] = draw(values)
    return shape


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([None, "template", "ai"]),
    variants=st.lists(variant_shapes(), min_size=1, max_size=3),
)
def test_the_schema_and_the_model_accept_the_same_steps(kind: str | None, variants: list[dict[str, Any]]) -> None:
    data: dict[str, Any] = {"variants": [{**v, "key": "ABC"[i]} for i, v in enumerate(variants)]}
    if kind is not None:
        data["kind"] = kind
    try:
        StepSpec.model_validate(data)
        model_ok = True
    except ValidationError:
        model_ok = False
    schema_ok = VALIDATOR.is_valid(data)
    assert model_ok == schema_ok, data


def test_a_null_variant_field_is_an_absent_one() -> None:
    variant = Variant.model_validate({"subject": "Hi", "body": "x", "strategy": None})
    assert variant.strategy is None
