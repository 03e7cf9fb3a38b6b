"""`classify_reply(text, subject)`: the intent of a human reply by deterministic multilingual rules (en, de, fr, es,
it, nl, pt). Pure, never raises; the offline default and the AI gateway's fallback.

Rule tables live in `intent_rules`, the referred person's extraction in `referrals`. Text is case- and
accent-folded and split into clauses; each rule is a regex with a weight. A positive rule (interested, meeting)
preceded in its clause by a negation ("not", "kein", "pas", "no", "non", "niet", "não") does not count. Strong
matches (weight >= STRONG) decide by priority unsubscribe > not_interested > meeting_request > interested >
question > referral > other; weak ones (a bare "yes", a "?") only when nothing strong matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from shared.domain.inbound_mail.intent_rules import (
    CONDITIONAL,
    EXCEPTIONS,
    NEGATED,
    NEGATIONS,
    REFER_VERB,
    RULES,
    Rule,
)
from shared.domain.inbound_mail.quotes import reply_part
from shared.domain.inbound_mail.referrals import referral_of

_INNER_NEGATIONS = NEGATIONS - {"n", "ne", "mai", "ni"}  # "mai" is also May; "n", "ne" are only negations before

__all__ = ["LABELS", "PRIORITY", "STRONG", "Intent", "Rule", "classify_reply", "fold", "referral_of"]

PRIORITY = ("unsubscribe", "not_interested", "meeting_request", "interested", "question", "referral", "other")
LABELS = frozenset(PRIORITY)
STRONG = 0.7
NEGATION_WINDOW = 4  # words before a positive match in which a negation cancels it
MAX_TEXT = 20_000  # characters of a reply the rules read (a reply's own words are far fewer)
# "mais"/"mas" are "but" and also pt/es "more" ("mais informações", "más detalles", "não quero mais"); Dutch
# "maar" is also a particle after an imperative ("stuur maar", "bel maar"): those do not end a clause, nor does the
# period of an ordinal date or a time ("am 3. Mai", "um 10.30").
_MORE_OBJECT = (
    r"(?!\s+(?:(?:informac|detalh|detall|info|material|dados|datos|mensag|mensaj|contat|contact|receb|recib|e-?mail"
    r"|correo)|(?:sobre|tarde|cedo|um|uma|nada|veces|vezes|tiempo|tempo|enviar|mandar|nenhum|ninguna|alguna|algum"
    r"|o que|que)\b))"
)
_NOT_BUT = r"(?<!nao )(?<!nunca )(?<!quero )(?<!muito )(?<!poco )(?<!nada )(?<!no )(?<!ya )(?<!ja )"
_CLAUSES = re.compile(
    r"[!;\n]+|(?<!\b\d)(?<!\b\d\d)\.+|(?<=\?)|\b(?:but|aber|pero|ma|however|jedoch|cependant)\b"
    rf"|{_NOT_BUT}\b(?:mais|mas)\b{_MORE_OBJECT}"
    r"|(?<!stuur )(?<!bel )(?<!mail )(?<!zeg )(?<!laat )(?<!kom )(?<!plan )(?<!geef )\bmaar\b"
)
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|rif|r|ref|res|wg|fw|fwd|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Intent:
    label: str  # one of PRIORITY
    confidence: float  # 0..1
    rule: str  # "rules:<label>:<rule name>", "rules:other"
    referral_email: str | None = None
    referral_name: str | None = None


def fold(text: str) -> str:
    """Lower-case, accents stripped, ß as ss, typographic apostrophes and spaces made plain."""
    text = text.replace("’", "'").replace("´", "'").replace("\xa0", " ").casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for phrase, token in EXCEPTIONS:
        text = re.sub(phrase, token, text)
    return CONDITIONAL.sub("conditional", text)


def classify_reply(text: str, subject: str = "") -> Intent:
    """The reply's intent: label, confidence, the rule that decided, and the referred person when there is one."""
    try:
        return _classify(text or "", subject or "")
    except Exception:  # the promise: a verdict for any text
        return Intent("other", 0.1, "rules:error")


def _classify(text: str, subject: str) -> Intent:
    body = reply_part(text[: MAX_TEXT * 5])[:MAX_TEXT]  # a no-op on reply text; drops our quoted pitch otherwise
    own_subject = not _REPLY_PREFIX.match(subject)  # "Re: <our subject>" holds our words, not theirs
    topic = _REPLY_PREFIX.sub("", subject).strip()
    source = body if body else (topic if own_subject else "")
    hits = _hits(fold(source))
    if body and topic:
        hits += [h for h in _hits(fold(topic)) if h[0].label == "unsubscribe"]
    email, name = referral_of(source)
    if not hits:
        if email and REFER_VERB.search(fold(source)):
            return Intent("referral", 0.55, "rules:referral:email address", email, name)
        return Intent("other", 0.4 if source else 0.2, "rules:other")
    strong = [h for h in hits if h[0].weight >= STRONG]
    pool = strong or hits
    best = min(pool, key=lambda h: (PRIORITY.index(h[0].label), -h[0].weight))
    rule = best[0]
    rivals = {h[0].label for h in strong} - {rule.label}
    confidence = round(max(0.3, min(0.98, rule.weight - 0.08 * len(rivals) + 0.03 * (len(hits) - 1))), 2)
    if rule.label == "referral" or (rule.label == "other" and email):
        return Intent("referral", confidence, f"rules:referral:{rule.name}", email, name)
    return Intent(rule.label, confidence, f"rules:{rule.label}:{rule.name}")


def _hits(folded: str) -> list[tuple[Rule, str]]:
    found: list[tuple[Rule, str]] = []
    clauses = [c.strip() for c in _CLAUSES.split(folded) if c and c.strip()]
    for clause in clauses:
        for rule in RULES:
            negated = False
            for match in rule.pattern.finditer(clause):
                if rule.negatable and (_negated(clause[: match.start()]) or _negated_within(match.group(0))):
                    negated = True
                    continue
                found.append((rule, clause))
                break
            else:
                if negated and rule.label in NEGATED:  # "not interested", "no need for a call": a no
                    found.append((NEGATED[rule.label], clause))
    return found


def _negated_within(matched: str) -> bool:
    """A negation inside a positive match ("schicken Sie keine Angebote", "send me no more") cancels it too."""
    return any(w in _INNER_NEGATIONS or w.endswith("n't") for w in re.findall(r"[\w']+", matched))


def _negated(before: str) -> bool:
    words = re.findall(r"[\w']+", before)[-NEGATION_WINDOW:]
    return any(w in NEGATIONS or w.endswith("n't") for w in words)
