"""Human replies through the AI gateway: a valid JSON intent replaces the rules' verdict (and says so); an answer that
is not one of the intents, or no answer at all, leaves the rule-based verdict standing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.domain.inbound_mail.parsed import AuthResults, ParsedMail
from shared.domain.inbound_mail.verdict import Verdict
from shared.ports.ai import Completion
from shared.service_layer.composition.gateway import GatewayResult
from shared.service_layer.inbound_processing import InboundProcessor


@dataclass
class Gateway:
    text: str | None

    async def complete(self, request: Any, accept: Any) -> GatewayResult:
        if self.text is None:
            return GatewayResult(None, ())
        completion = Completion(text=self.text, provider="xai", model="m")
        return GatewayResult(completion if not accept(completion) else None, ())


@dataclass
class Services:
    ai_gateway: Any


MAIL = ParsedMail(
    message_id=None, in_reply_to=(), references=(), from_address="a@hotel.example", from_name=None,
    to_addresses=(), subject="Re: rooms", date=None, headers={}, auth=AuthResults(), content_type="text/plain",
    report_type=None, text="Happy to talk on Tuesday at 10?", reply_text="Happy to talk on Tuesday at 10?",
)  # fmt: skip
RULES = Verdict("reply", intent="question", confidence=0.6, details={"rule": "rules:question"})


async def run(text: str | None) -> Verdict:
    return await InboundProcessor(Services(Gateway(text)))._ai_intent(RULES, MAIL)  # type: ignore[arg-type]


async def test_a_valid_answer_wins_and_says_which_provider() -> None:
    verdict = await run('```json\n{"intent": "meeting_request", "confidence": 0.92}\n```')
    assert (verdict.intent, verdict.confidence) == ("meeting_request", 0.92)
    assert verdict.details["rule"] == "ai:xai" and verdict.details["rules_said"] == "question"


async def test_an_unknown_intent_or_no_answer_keeps_the_rules() -> None:
    for text in ('{"intent": "maybe"}', "not json", None):
        verdict = await run(text)
        assert (verdict.intent, verdict.confidence) == ("question", 0.6)
        assert verdict.details["ai"] == "fallback to rules"


async def test_no_gateway_means_the_rules_alone() -> None:
    verdict = await InboundProcessor(Services(None))._ai_intent(RULES, MAIL)  # type: ignore[arg-type]
    assert verdict is RULES
