"""The last resort: plain templates for when every AI provider failed (or none is configured, as in `make dev`),
so composition never fails because AI is down.

They use only the context's facts and guard every one ("there" without a first name, "your hotel" without a
property or company name, no city clause without a city), so they render for any context build_context makes and
pass validate_draft (language unset: they are English) for a prospect known by nothing but an e-mail address and a
company. The offer is described only by the campaign's description when it has one. No signature or postal
address: like an AI draft, the sending side appends those. For step > 1 the caller threads the email with
reply_subject(first subject); the subject returned here is for a follow-up that has no first email to reply to.
"""

from __future__ import annotations

from shared.domain.composition.prompts import DEFAULT_STRATEGY, STRATEGIES

_PLACE = '{% set place = hotel or "your hotel" %}'
_GREETING = 'Hi {{ first_name or "there" }},\n\n'
_WHERE = "{{ place }}{% if city %} in {{ city }}{% endif %}"
_OFFER = "{% if campaign.description %}{{ campaign.description }}\n\n{% endif %}"
_SIGN_OFF = "\n\nBest regards,{% if sender_name %}\n{{ sender_name }}{% endif %}"

_FIRST: dict[str, tuple[str, str]] = {
    "cold_direct": (
        _PLACE + "A short note for {{ place }}",
        _PLACE + _GREETING + "{% if sender_name %}I'm {{ sender_name }}, and I'm{% else %}I'm{% endif %} writing to "
        "you about " + _WHERE + ". I would like to introduce what we do for hotels and hear how the season is going "
        "for you.\n\n" + _OFFER + "Are you the right person to talk to about this, and would a short call in the "
        "next few weeks suit you? If someone else looks after it, I would be grateful for a pointer." + _SIGN_OFF,
    ),
    "curiosity_value": (
        _PLACE + "A question about {{ place }}",
        _PLACE + _GREETING + "I have a quick question about " + _WHERE + ": {% if prospect.rooms %}with "
        "{{ prospect.rooms }} rooms to fill, {% endif %}how do most of your guests find you and book today?\n\n"
        + _OFFER
        + "If it helps, I am happy to share in a short call what we do for hotels and where it could make "
        "a difference for {{ place }}. Would that be useful?" + _SIGN_OFF,
    ),
    "authority_scarcity": (
        _PLACE + "Hotels like {{ place }}",
        _PLACE + _GREETING + "we work with hotels like " + _WHERE + ", and we keep the number of hotels we take on "
        "each season small, so that each one gets proper attention. A few places are still open this season.\n\n"
        + _OFFER
        + "Would a short call in the next two weeks suit you, to see whether it is a fit for {{ place }}?"
        + _SIGN_OFF,
    ),
}
_BUMP = (
    _PLACE + "Following up on {{ place }}",
    _PLACE + _GREETING + "I wanted to follow up on my note about {{ place }}. Would a short call be useful, or is "
    "someone else the right person to ask?" + _SIGN_OFF,
)
_LAST = (
    _PLACE + "Closing the loop on {{ place }}",
    _PLACE + _GREETING + "I have not heard back, so this is my last note about {{ place }} for now. If the timing "
    "is better later, just reply to this email and I will pick it up." + _SIGN_OFF,
)


def fallback_template(strategy: str | None, step: int) -> tuple[str, str]:
    """(subject template, body template) for the strategy (cold-direct for None or an unknown one) and step:
    step 1 the strategy's first email, step 2 a short bump, step 3 and later a polite last note."""
    if step < 1:
        raise ValueError(f"step {step} is not a step number (1, 2, ...)")
    if step == 2:
        return _BUMP
    if step > 2:
        return _LAST
    return _FIRST[strategy if strategy in STRATEGIES else DEFAULT_STRATEGY]
