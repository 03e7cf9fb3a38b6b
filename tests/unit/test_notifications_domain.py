"""The notification rules: endpoint validation, Slack / Discord / JSON shapes and their limits, the signature and its
replay window, dedup keys, rate allowances and the retry schedule."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain import notifications as rules
from shared.domain.errors import Conflict, ValidationFailed
from shared.domain.notifications import Notification

T0 = datetime(2026, 3, 2, 14, 5, 9, tzinfo=UTC)
SLACK_URL = "https://hooks.slack.com/services/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"
DISCORD_URL = "https://discord.com/api/webhooks/1187654321098765432/AbCdEf-GhIjKlMnOpQrStUvWxYz0123456789"

INTERESTED = Notification(
    id="018f3c2a9b7e4d0c8a1b2c3d4e5f6a7b",
    kind="reply_interested",
    created_at=T0,
    data={
        "from": "Hannah Berger <hannah.berger@hotel-sonnenhof.at>",
        "prospect": "Hannah Berger",
        "company": "Hotel Sonnenhof",
        "campaign": "DACH Boutique Hotels Q1",
        "subject": "Re: Zimmerbuchungen über Ihre Website",
        "intent": "interested",
        "confidence": 0.93,
        "reply_text": "Hallo Ada,\n\ndas klingt interessant — können Sie mir mehr Details schicken?\n\n"
        "Viele Grüße\nHannah",
        "url": "https://jengu.example/api/inbound/018f3c2a",
        "inbound_id": "018f3c2a",
    },
)


def endpoint(**overrides: object) -> dict[str, object]:
    value: dict[str, object] = {"name": "sales-slack", "channel": "slack", "url": SLACK_URL, "kinds": ["*"]}
    value.update(overrides)
    return value


# -- endpoints ---------------------------------------------------------------------------------------------------


def test_endpoints_parse_with_kinds_and_secret_names() -> None:
    parsed = rules.parse_endpoints([
        endpoint(),
        {"name": "ops", "channel": "discord", "url": DISCORD_URL, "kinds": ["task_dead_lettered", "inbox_paused"]},
        {"name": "crm", "channel": "webhook", "url": "https://crm.example.com/hooks/jengu", "kinds": ["*"],
         "secret_name": "CRM_WEBHOOK_SECRET"},
        {"name": "local", "channel": "webhook", "url": "http://127.0.0.1:9911/json", "kinds": ["reply_question"]},
    ])  # fmt: skip
    assert [e.name for e in parsed] == ["sales-slack", "ops", "crm", "local"]
    assert parsed[1].takes("inbox_paused") and not parsed[1].takes("reply_interested")
    assert parsed[0].takes("anything_new")
    assert parsed[2].secret_name == "CRM_WEBHOOK_SECRET"
    assert rules.parse_endpoints(None) == []


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"url": "http://hooks.slack.com/services/T/B/x"}, "https"),
        ({"url": "ftp://example.com/x"}, "https"),
        ({"url": "https://user:pw@example.com/x"}, "credentials"),
        ({"url": "https:///nohost"}, "host"),
        ({"url": "http://10.0.0.5/hook"}, "https"),
        ({"url": "https://example.com/" + "a" * 2100}, "2048"),
        ({"channel": "teams"}, "channel"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["reply_interesting"]}, "unknown kinds"),
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"secret_name": "CRM_SECRET"}, "generic JSON"),
        ({"channel": "webhook", "secret_name": "xoxb-real-secret-value"}, "NAME"),
        ({"channel": "webhook", "secret_name": "API_KEY"}, "NAME"),
        ({"colour": "red"}, "unknown fields"),
    ],
)
def test_bad_endpoints_are_refused_with_the_reason(overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.parse_endpoints([endpoint(**overrides)])
    problems = caught.value.details
    assert isinstance(problems, list) and problems[0]["index"] == 0
    assert fragment in problems[0]["message"]
    assert "xoxb-real-secret-value" not in problems[0]["message"]  # a secret pasted by mistake is never echoed


def test_duplicate_names_and_too_many_endpoints_are_refused() -> None:
    with pytest.raises(Conflict, match=r"^endpoint name 'Sales-Slack' is used twice$"):
        rules.parse_endpoints([endpoint(), endpoint(name="Sales-Slack")])
    with pytest.raises(ValidationFailed, match="at most"):
        rules.parse_endpoints([endpoint(name=f"e{n}") for n in range(rules.MAX_ENDPOINTS + 1)])
    with pytest.raises(ValidationFailed):
        rules.parse_endpoints({"name": "not a list"})


def test_the_flusher_skips_a_broken_stored_entry_and_keeps_the_others() -> None:
    stored = [endpoint(), {"name": "broken", "channel": "slack"}, "junk", endpoint(name="second")]
    assert [e.name for e in rules.endpoints_or_empty(stored)] == ["sales-slack", "second"]
    assert rules.endpoints_or_empty({"not": "a list"}) == []


def test_masked_urls_hide_the_token_but_name_the_host() -> None:
    masked = rules.mask_url(SLACK_URL)
    assert masked.startswith("https://hooks.slack.com/…") and "xKz3pLmN8q" not in masked
    assert rules.mask_url("http://127.0.0.1:9911/json") == "http://127.0.0.1:9911/…"


# -- messages ----------------------------------------------------------------------------------------------------


def test_slack_message_has_text_and_blocks() -> None:
    message = rules.slack_message(INTERESTED)
    assert set(message) == {"text", "blocks"}
    assert message["text"].startswith("Interested reply: Hannah Berger")
    header, fields, body, context = message["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Interested reply"}}
    texts = [f["text"] for f in fields["fields"]]
    assert texts[0] == "*From*\nHannah Berger &lt;hannah.berger@hotel-sonnenhof.at&gt;"
    assert "*Confidence*\n0.93" in texts and "*Campaign*\nDACH Boutique Hotels Q1" in texts
    assert len(texts) <= 10
    assert body["text"]["text"].startswith("&gt; Hallo Ada,")
    assert "018f3c2a9b7e4d0c8a1b2c3d4e5f6a7b" in context["elements"][0]["text"]
    json.dumps(message)  # serialisable as is


def test_slack_escapes_mentions_and_links_from_a_prospect() -> None:
    hostile = Notification("n1", "reply_question", T0, {"from": "<!channel> x", "reply_text": "<https://evil|click> &"})
    text = json.dumps(rules.slack_message(hostile))
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text


def test_discord_message_has_content_and_an_embed_without_mentions() -> None:
    message = rules.discord_message(INTERESTED)
    assert set(message) == {"content", "embeds", "allowed_mentions"}
    assert message["allowed_mentions"] == {"parse": []}
    assert message["content"] == "**Interested reply** — Hannah Berger <hannah.berger@hotel-sonnenhof.at>"
    (embed,) = message["embeds"]
    assert embed["title"] == "Interested reply" and embed["timestamp"] == "2026-03-02T14:05:09+00:00"
    assert embed["url"] == "https://jengu.example/api/inbound/018f3c2a"
    assert embed["description"].startswith("Hallo Ada,")
    assert {"name": "Inbound id", "value": "018f3c2a", "inline": True} in embed["fields"]


def test_warning_kinds_are_coloured_apart() -> None:
    paused = Notification("n2", "inbox_paused", T0, {"inbox": "ada@jengu-demo.test", "reason": "bounce rate 6.1 %"})
    colors = {rules.discord_message(n)["embeds"][0]["color"] for n in (paused, INTERESTED)}
    assert len(colors) == 2
    referral = Notification("n3", "reply_referral", T0, {"referral": {"name": "Jonas Weber", "email": "jw@x.de"}})
    assert ("Referred to", "Jonas Weber jw@x.de") in rules.message_fields(referral.data)


def test_json_message_is_the_documented_shape() -> None:
    assert rules.json_message(INTERESTED) == {
        "id": INTERESTED.id, "kind": "reply_interested", "created_at": "2026-03-02T14:05:09+00:00",
        "data": INTERESTED.data,
    }  # fmt: skip
    assert rules.render("webhook", INTERESTED) == rules.json_message(INTERESTED)
    with pytest.raises(ValueError, match="email"):
        rules.render("email", INTERESTED)


text_values = st.text(st.characters(codec="utf-8"), max_size=6000)


@given(data=st.dictionaries(st.sampled_from(["from", "subject", "reply_text", "reason", "note", "x"]), text_values))
def test_every_message_stays_within_the_platform_limits(data: dict[str, str]) -> None:
    note = Notification("n", "inbound_unknown", T0, data)
    slack = rules.slack_message(note)
    assert len(slack["text"]) <= 3000 and len(slack["blocks"]) <= 50
    for block in slack["blocks"]:
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
    discord = rules.discord_message(note)
    embed = discord["embeds"][0]
    assert len(discord["content"]) <= 2000 and len(embed.get("description", "")) <= 4096
    assert all(len(f["value"]) <= 1024 and len(f["value"]) > 0 for f in embed["fields"])
    json.dumps(slack), json.dumps(discord)


# -- signature ---------------------------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"id":"n1","kind":"reply_question"}'
    header = rules.sign("whsec_test", body, 1_772_460_309)
    expected = hmac.new(b"whsec_test", b"1772460309." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1772460309,v1={expected}"
    assert rules.verify("whsec_test", body, header, now=1_772_460_309 + 10)
    assert rules.verify("whsec_test", body.decode(), header, now=1_772_460_309)


def test_verify_refuses_tampering_other_secrets_and_replays() -> None:
    body, t = b'{"id":"n1"}', 1_772_460_309
    header = rules.sign("whsec_test", body, t)
    assert not rules.verify("whsec_test", b'{"id":"n2"}', header, now=t)
    assert not rules.verify("other", body, header, now=t)
    assert not rules.verify("whsec_test", body, header, now=t + rules.REPLAY_WINDOW_S + 1)
    assert not rules.verify("whsec_test", body, header, now=t - rules.REPLAY_WINDOW_S - 1)
    assert rules.verify("whsec_test", body, header, now=t + rules.REPLAY_WINDOW_S)
    forged_time = header.replace(f"t={t}", f"t={t + 60}")
    assert not rules.verify("whsec_test", body, forged_time, now=t + 60)
    for broken in (None, "", "v1=abc", f"t={t}", "t=abc,v1=00", f"t={t},t={t},v1=00", "garbage", f"t=-{t},v1=0"):
        assert not rules.verify("whsec_test", body, broken, now=t)


def test_verify_accepts_any_of_several_secrets_or_signatures_during_rotation() -> None:
    body, t = b"{}", 1_772_460_309
    both = f"{rules.sign('new', body, t)},v1={rules.signature('old', body, t)}"
    assert rules.verify("old", body, both, now=t) and rules.verify("new", body, both, now=t)
    assert rules.verify(["retired", "new"], body, rules.sign("new", body, t), now=t)


@given(body=st.binary(max_size=2000), secret=st.text(min_size=1, max_size=64), t=st.integers(0, 10**12 - 1))
def test_sign_then_verify_round_trips(body: bytes, secret: str, t: int) -> None:
    assert rules.verify(secret, body, rules.sign(secret, body, t), now=t)
    assert not rules.verify(secret, body + b"x", rules.sign(secret, body, t), now=t)


# -- dedup, rates, retries ---------------------------------------------------------------------------------------


def test_dedup_key_is_kind_and_subject() -> None:
    assert rules.dedup_key("inbox_paused", "inb_1") == "inbox_paused:inb_1"
    assert rules.dedup_key("inbox_paused", "inb_1") != rules.dedup_key("inbox_paused", "inb_2")
    assert timedelta(minutes=5) == rules.DEDUP_WINDOW


def test_rate_allowance_per_kind() -> None:
    assert rules.allowance("reply_interested", 0) == rules.RATE_LIMITS["reply_interested"]
    assert rules.allowance("task_dead_lettered", 19) == 1 and rules.allowance("task_dead_lettered", 25) == 0
    assert rules.allowance("something_new", 0) == rules.DEFAULT_RATE_LIMIT
    assert all(kind in rules.RATE_LIMITS for kind in rules.KINDS)


def test_backoff_grows_then_gives_up() -> None:
    delays = [rules.retry_delay(n) for n in range(1, rules.MAX_ATTEMPTS + 1)]
    assert delays[:-1] == [timedelta(seconds=s) for s in rules.BACKOFF_S]
    assert delays[-1] is None
    assert all(a < b for a, b in itertools.pairwise(delays) if a and b)
    assert rules.retry_delay(1, retry_after_s=600) == timedelta(seconds=600)
    assert rules.retry_delay(1, retry_after_s=5) == timedelta(seconds=60)
    assert rules.retry_delay(1, retry_after_s=99999) == timedelta(seconds=rules.MAX_RETRY_AFTER_S)


def test_retry_after_and_retriable_answers() -> None:
    now = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert rules.parse_retry_after("30", now) == 30.0
    assert rules.parse_retry_after("Mon, 02 Mar 2026 14:02:00 GMT", now) == 120.0
    assert rules.parse_retry_after("soon", now) is None and rules.parse_retry_after(None, now) is None
    statuses = (400, 401, 403, 404, 408, 410, 413, 429, 500, 502, 503)
    assert [s for s in statuses if rules.retriable_status(s)] == [408, 429, 500, 502, 503]
