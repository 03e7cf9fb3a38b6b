"""`reply_part(text)`: the new words of a reply, without quoted history and signature. Pure, never raises.

Quoted history: attribution lines ("On ... wrote:", "Am ... schrieb", "Le ... a écrit", "El ... escribió",
"Il ... ha scritto", "Op ... schreef", "Em ... escreveu"), Outlook "-----Original Message-----" and
"From: ... Sent: ..." blocks in those languages, forward markers and ">" lines. A top-posted reply ends where the
history starts; in a bottom-posted (or interleaved) one the quoted lines are dropped and the answers kept.
Signatures: "-- ", "Sent from my iPhone" and the like, and a closing ("Kind regards", "Mit freundlichen Grüßen")
followed by a few short lines.
"""

from __future__ import annotations

import re

_VERBS = r"(?:wrote|writes|schrieb|a\s+[ée]crit|escribi[óo]|ha\s+scritto|schreef|escreveu|skrev|napisał)"
_LEADS = r"(?:on|am|le|el|il|op|em|den|w\s+dniu)"
ATTRIBUTION = re.compile(
    rf"^\W{{0,3}}{_LEADS}\b.{{0,300}}\b{_VERBS}(\s*:?\s*$|\s.{{0,200}}:\s*$)", re.IGNORECASE | re.DOTALL
)
BARE_ATTRIBUTION = re.compile(rf"^.{{1,200}}\b{_VERBS}\s*:\s*$", re.IGNORECASE | re.DOTALL)
SEPARATOR = re.compile(
    r"^\s*[-_=*>\s]*("
    r"original message|ursprüngliche nachricht|originalnachricht|message d'origine|message original|"
    r"mensaje original|messaggio originale|oorspronkelijk bericht|origineel bericht|mensagem original|"
    r"forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|"
    r"doorgestuurd bericht|mensagem encaminhada|begin forwarded message|anfang der weitergeleiteten nachricht|"
    r"début du message réexpédié|inicio del mensaje reenviado|inizio messaggio inoltrato"
    r")\s*:?\s*[-_=*\s]*$",
    re.IGNORECASE,
)
UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
FROM_LINE = re.compile(r"^\W{0,3}(from|von|de|da|van|remetente|od|från)\s*:", re.IGNORECASE)
HEADER_LINE = re.compile(
    r"^\W{0,3}(sent|date|to|subject|cc|gesendet|datum|an|betreff|envoy[ée]|date|[àa]|objet|enviado(?: el)?|fecha|"
    r"para|asunto|inviato|data|a|oggetto|verzonden|aan|onderwerp|enviada em|assunto|enviado em)\s*:",
    re.IGNORECASE,
)
ONE_LINE_HEADERS = re.compile(
    r"\b(from|von|de|da|van)\s*:.{1,200}\b(sent|gesendet|envoy[ée]|enviado|inviato|verzonden|enviada|date|datum)\s*:",
    re.IGNORECASE,
)
MOBILE = re.compile(
    r"^\s*(sent from my|sent from mail for|sent from outlook|sent from yahoo|get outlook for|von meinem|"
    r"gesendet von|gesendet mit|envoy[ée] de mon|envoy[ée] depuis|enviado desde mi|enviado desde|inviato da|"
    r"verzonden vanaf|verstuurd vanaf|enviado do meu|enviado a partir do|obtenha o outlook|obtener outlook)\b.{0,80}$",
    re.IGNORECASE,
)
CLOSING = re.compile(
    r"^\s*(best|kind|warm|many thanks and|with)?\s*(regards|wishes)\b[\s,.!]*|"
    r"^\s*(thanks|thank you|many thanks|thx|cheers|best|all the best|yours|sincerely|yours sincerely)[\s,.!]*$|"
    r"^\s*(mit freundlichen gr(ü|ue)(ß|ss)en|freundliche gr(ü|ue)(ß|ss)e|viele gr(ü|ue)(ß|ss)e|beste gr(ü|ue)(ß|ss)e|"
    r"liebe gr(ü|ue)(ß|ss)e|gr(ü|ue)(ß|ss)e|lg|mfg|danke|vielen dank)[\s,.!]*$|"
    r"^\s*(cordialement|bien cordialement|bien à vous|salutations|merci|merci beaucoup|bonne journée)[\s,.!]*$|"
    r"^\s*(saludos|un saludo|saludos cordiales|atentamente|gracias|muchas gracias|un abrazo)[\s,.!]*$|"
    r"^\s*(cordiali saluti|distinti saluti|saluti|grazie|grazie mille|buona giornata)[\s,.!]*$|"
    r"^\s*(met vriendelijke groet(en)?|vriendelijke groet(en)?|groeten|groet|bedankt|dank je wel|mvg)[\s,.!]*$|"
    r"^\s*(atenciosamente|cumprimentos|abraços|abraço|obrigad[oa]|muito obrigad[oa]|melhores cumprimentos)[\s,.!]*$",
    re.IGNORECASE,
)
MAX_SIGNATURE_LINES = 7


def reply_part(text: str) -> str:
    """The reply's own words: quoted history, quoted lines and the signature removed; "" when nothing is left."""
    try:
        lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return _tidy(_without_signature(_without_history(lines)))
    except Exception:  # the promise: a reply text for any input
        return (text or "").strip()


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines (1-3) the attribution starting at line i spans, 0 when none starts there."""
    for span in (1, 2, 3):
        chunk = " ".join(line.strip() for line in lines[i : i + span])
        if len(chunk) > 400:
            return 0
        if ATTRIBUTION.match(chunk) or (span == 1 and BARE_ATTRIBUTION.match(chunk) and "@" in chunk):
            return span
        if span == 1 and BARE_ATTRIBUTION.match(chunk) and len(chunk.split()) <= 8:
            return span
    return 0


def _outlook_block(lines: list[str], i: int) -> bool:
    line = lines[i].strip().lstrip("*").strip()
    if ONE_LINE_HEADERS.search(line):
        return True
    if not FROM_LINE.match(line):
        return False
    following = [x.strip().lstrip("*").strip() for x in lines[i + 1 : i + 6] if x.strip()]
    return sum(bool(HEADER_LINE.match(x)) for x in following[:4]) >= 2


def _without_history(lines: list[str]) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if _is_quoted(line):
            i += 1
            continue
        if (
            SEPARATOR.match(stripped)
            or _outlook_block(lines, i)
            or (UNDERSCORES.match(stripped) and _near_from(lines, i))
        ):
            break
        span = _attribution_span(lines, i) if stripped else 0
        if span:
            rest = [x for x in lines[i + span :] if x.strip()]
            if rest and _is_quoted(rest[0]):  # bottom-posted or interleaved: drop the attribution, keep reading
                i += span
                continue
            break
        kept.append(line)
        i += 1
    return kept


def _near_from(lines: list[str], i: int) -> bool:
    return any(FROM_LINE.match(x.strip().lstrip("*").strip()) for x in lines[i + 1 : i + 4])


def _without_signature(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if (line.rstrip("\n") in ("-- ", "--") or stripped in ("--", "—", "__")) and _has_words(lines[:i]):
            return lines[:i]
        if MOBILE.match(stripped) and _has_words(lines[:i]):
            return lines[:i]
    last = [i for i, line in enumerate(lines) if line.strip()]
    for i in last[-MAX_SIGNATURE_LINES:]:
        if CLOSING.match(lines[i].strip()) and _has_words(lines[:i]):
            after = [x.strip() for x in lines[i + 1 :] if x.strip()]
            if all(len(x) <= 60 and not x.endswith((".", "?", "!", ":")) for x in after):
                return lines[:i]
    return lines


def _has_words(lines: list[str]) -> bool:
    return any(re.search(r"\w", line) for line in lines)


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
