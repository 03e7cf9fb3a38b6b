"""Sandboxed templates (shared/domain/composition/templates.py) and the facts-only context (context.py)."""

from __future__ import annotations

import pytest

from shared.domain.composition.context import (
    ALLOWED_VARIABLES,
    TEMPLATE_FIELDS,
    build_context,
    facts_text,
    input_links,
)
from shared.domain.composition.templates import MAX_TEMPLATE_CHARS, TemplateProblem, check_template, render

FULL = {
    "first_name": "María",
    "last_name": "García",
    "contact_name": "María García",
    "job_title": "General Manager",
    "company_name": "Hoteles Sol SL",
    "property_name": "Hotel Sol Playa",
    "property_type": "resort",
    "rooms": 120,
    "city": "Málaga",
    "region": "Andalusia",
    "country": "ES",
    "website": "https://www.hotelsolplaya.es/en",
    "email": "maria@hotelsolplaya.es",
    "phone": "+34 600 000 000",
    "notes": "met at ITB, loves golf",
    "score": 87,
}
SENDER = {"display_name": "Ann Lee", "email": "ann@jengu.example", "signature": "Ann Lee\nwww.jengu.example"}
CAMPAIGN = {"name": "Spain spring", "description": "Direct-booking websites for hotels."}


def ctx(prospect: dict[str, object] | None = None) -> dict[str, object]:
    return build_context(FULL if prospect is None else prospect, SENDER, CAMPAIGN)


def problem(source: str, **kwargs: object) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as caught:
        if kwargs.get("check", True):
            check_template(source, allowed=ALLOWED_VARIABLES, field="body", fields=TEMPLATE_FIELDS)
        else:
            render(source, ctx())
    return caught.value


# -- check_template -------------------------------------------------------------------------------------------


def test_a_good_template_passes_the_check_and_renders() -> None:
    source = 'Hi {{ prospect.first_name or "there" }}, about {{ hotel }}{% if city %} in {{ city }}{% endif %}.'
    check_template(source, allowed=ALLOWED_VARIABLES, field="body", fields=TEMPLATE_FIELDS)
    assert render(source, ctx()) == "Hi María, about Hotel Sol Playa in Málaga."


@pytest.mark.parametrize(
    ("source", "line"),
    [("Hi {{ first_name }", 1), ("Hi\n\n{% if city %}\n{{ city }}", 4), ("line 1\n{{ first_name | }}", 2)],
)
def test_a_syntax_error_names_its_line(source: str, line: int) -> None:
    found = problem(source)
    assert found.kind == "syntax"
    assert found.line == line
    assert "body" in found.message and f"line {line}" in str(found)


def test_an_undefined_variable_is_named() -> None:
    found = problem("Hi {{ frist_name }}")
    assert found.kind == "undefined"
    assert "frist_name" in found.message
    assert found.line == 1


def test_a_misspelt_attribute_is_refused_when_fields_are_given() -> None:
    found = problem("Hi\n{{ prospect.frist_name }}")
    assert (found.kind, found.line) == ("undefined", 2)
    assert "prospect.frist_name" in found.message
    # without `fields` only the roots are checked; rendering then finds the typo
    check_template("{{ prospect.frist_name }}", allowed=ALLOWED_VARIABLES, field="subject")
    assert problem("{{ prospect.frist_name }}", check=False).kind == "undefined"


def test_variables_set_or_looped_inside_the_template_are_not_undefined() -> None:
    source = '{% set who = first_name or "there" %}{% for i in range(2) %}{{ who }}{{ loop.index }}{% endfor %}'
    check_template(source, allowed=ALLOWED_VARIABLES, field="body")
    assert render(source, ctx()) == "María1María2"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self.__init__.__globals__ }}",
        "{{ lipsum.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ prospect['__class__'] }}",
        "{{ prospect|attr('__class__') }}",
        "{{ request.application.__globals__ }}",
    ],
)
def test_sandbox_escapes_are_security_problems_when_checked_and_when_rendered(source: str) -> None:
    assert problem(source).kind == "security"
    assert problem(source, check=False).kind == "security"


@pytest.mark.parametrize(
    "source",
    [
        "{{ '{0.__class__}'.format(first_name) }}",  # str.format is sandboxed too
        "{{ prospect.update({'first_name': 'x'}) }}",  # the context cannot be mutated
        "{{ 'x' * 10**9 }}",  # no memory exhaustion
        "{{ [1] * 1000000 }}",
        "{{ 2 ** 10000 }}",
    ],
)
def test_runtime_sandbox_refusals_are_security_problems(source: str) -> None:
    assert problem(source, check=False).kind == "security"


@pytest.mark.parametrize(
    "source",
    ["{% set y = '__cla' ~ 'ss__' %}{{ first_name[y] }}", "{{ first_name[('_' * 2) ~ 'class__'] }}"],
)
def test_names_built_at_runtime_are_stopped_by_the_sandbox(source: str) -> None:
    check_template(source, allowed=ALLOWED_VARIABLES, field="body")  # nothing to see statically
    assert problem(source, check=False).kind == "security"


def test_the_removed_globals_are_undefined() -> None:
    for name in ("lipsum", "cycler", "joiner", "namespace", "self"):
        found = problem("{{ " + name + " }}")
        assert found.kind == "undefined" and name in found.message


def test_an_over_long_template_is_too_long() -> None:
    found = problem("x" * (MAX_TEMPLATE_CHARS + 1))
    assert found.kind == "too_long"
    check_template("x" * MAX_TEMPLATE_CHARS, allowed=(), field="body")


def test_runtime_errors_are_problems_with_a_line() -> None:
    found = problem("a\nb\n{{ 1 // 0 }}", check=False)
    assert (found.kind, found.line) == ("runtime", 3)


def test_compiled_templates_are_cached_by_source() -> None:
    from shared.domain.composition.templates import _compiled

    _compiled.cache_clear()
    for _ in range(3):
        render("{{ first_name }}!", ctx())
    info = _compiled.cache_info()
    assert (info.misses, info.hits, info.maxsize) == (1, 2, 256)


def test_default_filters_are_available() -> None:
    source = "{{ first_name|upper }} {{ last_name|lower }} {{ '  x '|trim }} {{ city|default('?') }} {{ hotel|title }}"
    assert render(source, ctx()) == "MARÍA garcía x Málaga Hotel Sol Playa"


# -- missing facts ----------------------------------------------------------------------------------------------


def test_missing_string_facts_are_empty_so_guards_work() -> None:
    sparse = ctx({"email": "info@sonnenhof.example", "company_name": "Hotel Sonnenhof"})
    source = 'Hi {{ prospect.first_name or "there" }}{% if prospect.city %} in {{ prospect.city }}{% endif %}.'
    assert render(source, sparse) == "Hi there."
    assert render("[{{ prospect.first_name }}]", sparse) == "[]"
    assert render("{{ prospect.first_name|default('there', true) }}", sparse) == "there"


def test_a_missing_number_printed_bare_is_undefined_but_can_be_guarded() -> None:
    sparse = ctx({"company_name": "Hotel Sonnenhof"})
    with pytest.raises(TemplateProblem) as caught:
        render("{{ prospect.rooms }} rooms", sparse)
    assert caught.value.kind == "undefined"
    assert render("{% if prospect.rooms %}{{ prospect.rooms }} rooms{% endif %}", sparse) == ""
    assert render("{{ prospect.rooms or 'many' }} rooms", sparse) == "many rooms"
    assert render("{{ prospect.rooms }} rooms", ctx()) == "120 rooms"


def test_every_context_renders_every_allowed_name() -> None:
    for prospect in ({}, FULL, {"rooms": "not a number", "country": "Atlantis", "first_name": None}):
        context = build_context(prospect, {}, {})
        assert set(context) == ALLOWED_VARIABLES
        for group, keys in TEMPLATE_FIELDS.items():
            assert set(context[group]) == keys


# -- the context -------------------------------------------------------------------------------------------------


def test_the_context_holds_the_records_facts_only() -> None:
    context = ctx()
    prospect = context["prospect"]
    assert prospect["country"] == "Spain" and prospect["country_code"] == "ES"
    assert prospect["domain"] == "hotelsolplaya.es"
    assert prospect["full_name"] == "María García"
    assert context["hotel"] == "Hotel Sol Playa" and context["company"] == "Hoteles Sol SL"
    assert context["sender"] == {
        "name": "Ann Lee",
        "email": "ann@jengu.example",
        "signature": "Ann Lee\nwww.jengu.example",
        "postal_address": "",
    }
    everything = repr(context)
    for private in ("ITB", "golf", "+34", "87", "maria@"):
        assert private not in everything


def test_models_and_dataclasses_are_read_like_rows() -> None:
    from datetime import UTC, datetime

    from shared.domain.prospects import Prospect

    now = datetime(2026, 1, 1, tzinfo=UTC)
    model = Prospect(id="p1", first_name="Jan", company_name="Hotel De Witte", country="NL", created_at=now,
                     updated_at=now, notes="private")  # fmt: skip
    context = build_context(model, SENDER, CAMPAIGN)
    assert context["prospect"]["first_name"] == "Jan" and context["prospect"]["country"] == "Netherlands"
    assert "private" not in repr(context)
    with pytest.raises(TypeError):
        build_context(42, SENDER, CAMPAIGN)


def test_facts_text_lists_only_known_facts() -> None:
    text = facts_text(ctx({"first_name": "Jan", "company_name": "Hotel De Witte", "city": "Gent"}))
    lines = text.splitlines()
    assert "- recipient_first_name: Jan" in lines
    assert "- recipient_company_name: Hotel De Witte" in lines
    assert "- recipient_city: Gent" in lines
    assert "- sender_name: Ann Lee" in lines
    assert all(line.startswith("- ") and not line.endswith(": ") for line in lines)
    assert "rooms" not in text and "region" not in text


def test_input_links_are_every_domain_in_the_facts() -> None:
    links = input_links(ctx({"company_name": "Booking.com Partner Hotel", "website": "sonnenhof.example/de"}))
    assert {"booking.com", "sonnenhof.example", "jengu.example"} <= links
    assert input_links(build_context({}, {}, {})) == set()
