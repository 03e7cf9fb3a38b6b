"""Automatic replies: out-of-office (with the return date), challenge-response, "no longer monitored", other. Pure.

`read_auto_reply(mail, received=...)` decides from headers first (RFC 3834 `Auto-Submitted` other than "no",
`X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply/bulk/junk`, Exchange's generated-message source, ...), then
the subject, then the body's own words (the new text only, never the quoted history), in English, German, French,
Spanish, Italian, Dutch and Portuguese. `X-Auto-Response-Suppress` is never evidence: senders set it on their mail.
Without headers or a subject marker, the body needs two independent auto-reply phrases, so a person mentioning
their holiday in passing is not taken for a responder.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from shared.domain.inbound_mail.parsed import ParsedMail
from shared.domain.inbound_mail.return_dates import parse_return_date

Kind = Literal["out_of_office", "challenge_response", "no_longer_monitored", "other_auto"]


@dataclass(frozen=True)
class AutoReply:
    kind: Kind
    return_date: date | None
    referral_email: str | None
    referral_name: str | None
    evidence: tuple[str, ...]  # which headers/phrases decided


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{alt})" for alt in alternatives), re.IGNORECASE)


# Subjects, matched on accent-folded lower-case text, at the start (after tags) or as a bracketed tag.
_OOO_SUBJECT = _rx(
    r"out of (?:the )?office|ooo\b|out of town|away from (?:the )?office|on (?:annual )?leave|on vacation|on holiday",
    r"abwesenheit\w*|abwesend|nicht im buro|urlaub|auss?er haus|auss?er buro",
    r"absence|absent\w*|en conge|en vacances|hors du bureau",
    r"fuera de (?:la )?oficina|ausente|de vacaciones|ausencia",
    r"fuori (?:sede|ufficio)|assen(?:te|za)|in ferie",
    r"afwezig\w*|niet aanwezig|met vakantie|buiten kantoor",
    r"fora do escritorio|ausencia|de ferias",
)
_AUTO_SUBJECT = _rx(
    r"auto(?:matic|mated)?[ -]?(?:reply|response|answer|responder)|autoreply|autoresponse|auto:",
    r"automatische (?:antwort|nachricht|ruckmeldung)|automatisch antwoord|automatisch bericht",
    r"reponse automatique|message automatique|respuesta automatica|risposta automatica|resposta automatica",
    r"accuse de reception|eingangsbestatigung|acuse de recibo|ontvangstbevestiging",
)
_REPLY_PREFIX = re.compile(r"^(?:(?:re|aw|sv|rif|r|wg|fw|fwd|tr|rv|enc|antw)\s*(?:\[\d+\])?\s*:\s*)+")
_SUBJECT_TAG = re.compile(r"^(?:\s*\[[^\]]{0,40}\]|\s*\([^)]{0,40}\)|\s*\*+[^*]{0,20}\*+)*\s*")

_OOO_BODY = _rx(
    # first-person absence statements, present or future only ("I was away" is a person talking)
    r"\bi(?: am|'m|’m| will be|'ll be|’ll be) (?:currently |now |presently )?(?:out of (?:the )?office|away"
    r"|on (?:annual |parental |maternity |paternity |sick )?leave|on (?:vacation|holiday)|travell?ing|off)\b",
    r"\bi(?: am|'m|’m) (?:currently )?(?:not in the office|out and|unavailable|not available)",
    r"\bthank(?:s| you) for your (?:e-?mail|message)[^.\n]{0,40}\b(?:i am|i'm|i’m|i will be)\b",
    r"\bich bin (?:[^\n!?]{0,40}? )?(?:nicht im (?:buro|haus)|abwesend"
    r"|im urlaub|auss?er haus|nicht erreichbar)",
    r"\b(?:bin|befinde) ich (?:mich )?(?:derzeit |zurzeit |bis \S+ )?(?:nicht im buro|abwesend|im urlaub|auss?er haus)",
    r"\bje suis (?:actuellement |absente?|en conge|en vacances|en deplacement|hors du bureau)",
    r"\bje serai (?:absente?|de retour|en conge)",
    r"\b(?:estoy|estare|me encuentro) (?:actualmente )?(?:fuera de (?:la )?oficina|ausente|de vacaciones|de viaje)",
    r"\b(?:sono|saro) (?:attualmente )?(?:fuori (?:sede|ufficio)|assente|in ferie|in vacanza)",
    r"\bik ben (?:momenteel |tot en met \S+ |vanaf \S+ )?(?:afwezig|niet aanwezig|met vakantie|op vakantie)",
    r"\b(?:estou|estarei|encontro-me) (?:atualmente |actualmente )?(?:ausente|fora do escritorio|de ferias)",
)
_AUTO_BODY = _rx(
    r"this is an? (?:automatic|automated|auto-generated)\b|automatic(?:ally generated)? (?:reply|response|message)",
    r"(?:limited|no|without|restricted|intermittent) access to (?:my )?e-?mail",
    r"(?:will|shall) (?:respond|reply|get back to you|answer)[^.\n]{0,40}(?:return|back|possible)",
    r"(?:for|in case of) (?:urgent|immediate) (?:matters|issues|requests|enquiries|inquiries|questions)|if urgent",
    r"(?:e-?mails?|message) will not be forwarded|not (?:be )?checking (?:my )?e-?mail",
    r"automatische (?:antwort|nachricht|e-mail)|(?:in dringenden fallen|bei dringenden anliegen)",
    r"keinen? (?:zugriff|zugang) (?:auf|zu) (?:meine )?e-?mails|wird nicht weitergeleitet|eingeschrankt erreichbar",
    r"reponse automatique|message automatique|en cas d'urgence|acces (?:limite|restreint) (?:a|aux) (?:mes )?e-?mails",
    r"respuesta automatica|mensaje automatico|(?:para|en caso de) (?:asuntos |temas )?urgen|acceso limitado",
    r"risposta automatica|messaggio automatico|per (?:questioni|urgenze|casi urgenti)|in caso di urgenza",
    r"automatisch (?:antwoord|bericht|gegenereerd)|voor dringende zaken|in dringende gevallen|beperkt toegang",
    r"resposta automatica|mensagem automatica|(?:para|em caso de) (?:assuntos )?urgen|acesso limitado",
)
_RETURN_BODY = _rx(
    r"(?:back|return|retour|zuruck|regreso|rientro|terug|regresso|de volta)[^.\n]{0,25}\b(?:on|am|le|el|il|op|em)\b",
    r"wieder (?:im buro|erreichbar|da|zuruck)|de retour (?:le|au|a partir)|weer (?:aanwezig|op kantoor|bereikbaar)",
    r"(?:regresare|volvere|vuelvo (?:el|a)|estare de vuelta|rientrero|tornero|estarei de volta)",
    r"(?:volto|retorno) (?:a|no|em)\b",
)
_CHALLENGE = _rx(
    r"\b(?:spam ?arrest|boxbe|mailmarshal|sanebox|choicemail|bluebottle|mailsbestfriend|knowspam|spamfighter)\b",
    r"\b(?:verify|confirm|validate|prove)\b[^.\n]{0,60}\b(?:human|not a (?:robot|machine)|real person|sender"
    r"|approved|whitelist|allow(?:ed)? list|your (?:e-?mail|message) (?:will be|can be|gets?) deliver)",
    r"\b(?:approved|allowed|trusted|guest) (?:sender|senders|list)\b|whitelist|challenge[- ]response",
    r"(?:your|the) (?:e-?mail|message) (?:is|has been) (?:being )?(?:held|quarantined|pending)[^.\n]{0,40}verif",
    r"(?:bestatigen|verifizieren) sie[^.\n]{0,60}(?:absender|mensch|nachricht)|absenderbestatigung",
    r"(?:confirmer|verifier|valider)[^.\n]{0,60}(?:expediteur|humain|liste blanche)|liste blanche",
    r"(?:verifique|confirme|verificar|confirmar)[^.\n]{0,60}(?:remitente|humano|lista blanca|remetente)",
    r"(?:verificare|confermare|conferma)[^.\n]{0,60}(?:mittente|umano|lista bianca)",
    r"(?:bevestig|verifieer|bevestigen)[^.\n]{0,60}(?:afzender|mens|witte lijst)",
)
_NO_LONGER = _rx(
    r"(?:mailbox|e-?mail address|address|inbox|account|e-?mail account|e-?mail)"
    r"[^.\n]{0,30}\b(?:is |are )?(?:no longer|not) (?:being )?(?:monitored|in use|active|checked|read|valid|used)",
    r"(?:postfach|adresse|e-mail-adresse|mailadresse|e-mail)[^.\n]{0,40}(?:nicht mehr|nicht langer) "
    r"(?:besetzt|aktiv|genutzt|gelesen|verwendet|bearbeitet|abgerufen|uberwacht|gultig)",
    r"(?:boite|adresse)[^.\n]{0,40}n'est plus (?:consultee|active|utilisee|valide|lue|surveillee)",
    r"(?:buzon|direccion|cuenta|correo)[^.\n]{0,40}ya no "
    r"(?:esta (?:activ|en uso|operativ)|se (?:revisa|utiliza|consulta|lee|monitorea))",
    r"(?:casella|indirizzo)[^.\n]{0,40}non (?:e |viene )?piu (?:attiv|utilizzat|monitorat|controllat|lett|in uso)",
    r"(?:mailbox|adres|e-?mailadres)[^.\n]{0,40}(?:niet meer|niet langer) (?:in gebruik|actief|gelezen|bewaakt)"
    r"|wordt niet meer (?:gelezen|gebruikt|bewaakt)",
    r"(?:caixa|endereco|conta)[^.\n]{0,40}(?:nao e|ja nao e|nao esta|deixou de ser) (?:mais )?(?:monitoriz|monitor"
    r"|utiliz|usad|lid|ativ|consultad)",
)
_LEFT = _rx(
    r"\b(?:is|am) no longer (?:with|employed|working|at|part of|a member)|has (?:left|departed) (?:the|our)\b"
    r"|no longer works?\b",
    r"nicht (?:mehr|langer) (?:im unternehmen|bei uns|fur \w+ tatig|tatig|beschaftigt)|hat (?:das unternehmen|uns)"
    r" verlassen|ausgeschieden",
    r"ne fait plus partie|a quitte (?:la societe|l'entreprise|notre)|ne travaille plus",
    r"ya no (?:trabaja|forma parte)|ha dejado (?:la empresa|de trabajar)",
    r"non lavora piu|non fa piu parte|ha lasciato (?:l'azienda|la societa)",
    r"(?:niet meer|niet langer) (?:werkzaam|in dienst)|werkt niet meer|heeft (?:ons|het bedrijf) verlaten",
    r"(?:nao|ja nao) (?:trabalha|faz parte)|deixou (?:a empresa|de trabalhar)",
)
_ENGAGED = _rx(
    r"\b(?:interested|call me|let'?s (?:talk|chat|meet|set up)|send (?:me|over)|happy to|sounds (?:good|great))\b",
    r"\b(?:gerne|interessiert|rufen sie mich|schicken sie mir)\b|\b(?:interesse|interessant)\b",
    r"\b(?:interesse|appelez-moi|envoyez-moi)\b|\b(?:me interesa|llamame|envieme)\b",
    r"\b(?:interessato|mi interessa|chiamami|inviatemi)\b|\b(?:geinteresseerd|bel me|stuur me)\b",
    r"\b(?:interessado|interessada|me ligue|envie-me)\b",
)
_CHALLENGE_SENDERS = re.compile(r"@(?:[\w-]+\.)*(?:boxbe|spamarrest|mailmarshal|sanebox)\.\w+$")
_QUOTE_START = re.compile(
    r"^(?:>|-{2,}\s*(?:original|ursprungliche|message d'origine|mensaje original|messaggio originale"
    r"|oorspronkelijk|mensagem original)|_{5,}|(?:from|von|de|da|van|sent|gesendet|envoye|enviado|inviato"
    r"|verzonden|date|datum)\s*:|on .{4,80} wrote:|am .{4,80} schrieb|le .{4,80} a ecrit|el .{4,80} escribio)",
    re.IGNORECASE | re.MULTILINE,
)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_NOT_A_PERSON = re.compile(r"^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?|autoreply|verify)\b")
_NAME = re.compile(
    r"((?:[A-ZÀ-Þ][a-zà-ÿ'’-]+|[A-Z]\.)(?:\s+(?:van|von|de|da|di|del|der|den|la|le|dos|das|do|ter|zu)){0,2}"
    r"(?:\s+[A-ZÀ-Þ][a-zà-ÿ'’-]+){1,3})[\s,:;(<\[-]*(?:at|at:|unter|via|on|à|a|al|em|op|an|bei|:)?[\s(<\[:-]*$"
)
_NAME_STOP = {
    "please", "contact", "email", "e-mail", "mail", "for", "bitte", "pour", "para", "per", "voor", "urgent",
    "kontakt", "kontaktieren", "contactez", "contacte", "contatti", "contattare", "neem", "entre", "sales",
    "support", "office", "team", "the", "my", "our", "mr", "mrs", "ms", "dr", "herr", "frau", "mme", "sr", "sra",
    "herrn", "signor", "signora", "sig", "dott", "ing", "mevrouw", "meneer", "dhr", "mevr", "madame", "monsieur",
    "señor", "señora", "senhor", "senhora", "m", "hi", "dear", "hello", "mijn", "collega", "collega's",
    "colleague", "kollege", "kollegin", "collègue", "in", "bei", "an", "mit", "write", "schreiben", "écrivez",
}  # fmt: skip


def read_auto_reply(mail: ParsedMail, *, received: date) -> AutoReply | None:
    """What kind of automatic message this is, or None when a person wrote it."""
    evidence = _header_evidence(mail)
    new_text = _new_text(mail)
    body = _fold(new_text)
    found = _Found(
        challenge=_hits(_CHALLENGE, body),
        gone=_hits(_NO_LONGER, body),
        left=_hits(_LEFT, body),
        ooo=_hits(_OOO_BODY, body),
        auto=_hits(_AUTO_BODY, body),
        back=_hits(_RETURN_BODY, body),
        link="http" in body or "www." in body,
        engaged="?" in body or bool(_ENGAGED.search(body)),
    )
    sender = mail.from_address or ""
    if _CHALLENGE_SENDERS.search(sender) or any(name.startswith("x-boxbe") for name in mail.headers):
        found.challenge.insert(0, f"sender:{sender or 'x-boxbe'}")
    subject = _subject_kind(_fold(mail.subject))
    if subject and (subject[1] or found.ooo or found.auto or found.back):
        evidence.append(f"subject:{subject[0]}")
    if not evidence and not _body_alone_decides(found, len(body)):
        return None
    kind = _kind(found, subject[0] if subject else None)
    phrases = {
        "challenge_response": found.challenge,
        "no_longer_monitored": found.gone + found.left,
    }.get(kind, found.ooo + found.auto + found.back)
    evidence += [f"body:{phrase}" for phrase in phrases[:4]]
    return_date = None
    if kind == "out_of_office":
        hint = _language_hint(mail, body)
        return_date = parse_return_date(f"{mail.subject}\n{new_text}", received=received, language_hint=hint)
    email, name = (None, None) if kind == "challenge_response" else _referral(mail, new_text)
    return AutoReply(kind, return_date, email, name, tuple(evidence))


@dataclass(frozen=True, slots=True)
class _Found:
    challenge: list[str]
    gone: list[str]  # the mailbox itself is not read any more
    left: list[str]  # the person left (people write this too: needs other evidence)
    ooo: list[str]
    auto: list[str]  # responder boilerplate
    back: list[str]  # "back on", "de retour le" (people write this too)
    link: bool
    engaged: bool  # a question or an answer to our mail: a person, unless headers or the subject say otherwise


def _header_evidence(mail: ParsedMail) -> list[str]:
    found = []
    submitted = (mail.header("auto-submitted") or "").strip().lower()
    if submitted and not submitted.startswith("no"):
        found.append(f"header:auto-submitted={submitted.split(';')[0].strip()}")
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-autogenerated", "x-fc-machinegenerated"):
        value = (mail.header(name) or "").strip().lower()
        if value and value not in {"no", "false", "0"}:
            found.append(f"header:{name}")
    for name in ("precedence", "x-precedence"):
        value = (mail.header(name) or "").strip().lower()
        if value in {"auto_reply", "auto-reply", "bulk", "junk"}:
            found.append(f"header:{name}={value}")
    source = (mail.header("x-ms-exchange-generated-message-source") or "").strip()
    if source:
        found.append(f"header:x-ms-exchange-generated-message-source={source.lower()}")
    if any(name in mail.headers for name in ("list-id", "list-unsubscribe", "feedback-id")) and found:
        found.append("header:list")  # bulk markers back up other evidence; alone they may be a person's list mail
    return found


def _subject_kind(subject: str) -> tuple[str, bool] | None:
    """("automatic" | "out_of_office", strong): strong when written as a responder writes it ("Abwesend: ...")."""
    tagged = re.search(
        r"[\[(]\s*(?:auto[- ]?(?:reply|response|antwort)|automatic reply|out of office|ooo)\s*[\])]", subject
    )
    if tagged:
        return "automatic", True
    text = _SUBJECT_TAG.sub("", subject)
    if _REPLY_PREFIX.match(text):
        text = _REPLY_PREFIX.sub("", text)
        if not _AUTO_SUBJECT.match(text):
            return None  # "Re: our holiday plans" is a person; "AW: Automatische Antwort" is not
    if _AUTO_SUBJECT.match(text):
        return "automatic", True
    keyword = _OOO_SUBJECT.match(text)
    if keyword:
        rest = text[keyword.end() :]
        return "out_of_office", bool(re.match(r"\s*(?:$|[:|–-]|[^:|–]{0,40}[:|–])", rest))
    return None


def _is_challenge(found: _Found) -> bool:
    return bool(found.challenge) and (
        found.challenge[0].startswith("sender:") or len(found.challenge) >= 2 or found.link
    )


def _body_alone_decides(found: _Found, length: int) -> bool:
    """Without headers or subject: a verification request, a dead mailbox, or an absence plus responder boilerplate."""
    if _is_challenge(found):
        return True
    if length > 1500:
        return False
    if found.gone or (found.left and found.auto):
        return True
    return bool(found.ooo) and bool(found.auto) and not found.engaged


def _kind(found: _Found, subject: str | None) -> Kind:
    if _is_challenge(found):
        return "challenge_response"
    if (found.gone or found.left) and not found.ooo:
        return "no_longer_monitored"
    if found.ooo or found.back or subject == "out_of_office":
        return "out_of_office"
    return "other_auto"


def _hits(pattern: re.Pattern[str], text: str) -> list[str]:
    return list(dict.fromkeys(match.group(0).strip() for match in pattern.finditer(text)))


def _fold(text: str) -> str:
    """Lower case without accents, one character for one (offsets stay valid): "Büro" -> "buro", "ß" -> "s"."""
    return "".join((unicodedata.normalize("NFKD", char)[:1] or char).lower()[:1] for char in text)


def _new_text(mail: ParsedMail) -> str:
    """The responder's own words: the reply text (or the whole text), cut where quoted history begins."""
    text = mail.reply_text.strip() or mail.text
    cut = _QUOTE_START.search(_fold(text))
    return text[: cut.start()] if cut and cut.start() > 0 else text


def _language_hint(mail: ParsedMail, body: str) -> str | None:
    declared = (mail.header("content-language") or "").split(",")[0].strip()
    if declared:
        return declared
    scores = {
        "de": len(re.findall(r"\b(?:ich|und|bin|nicht|bis|wieder|ihre|sie)\b", body)),
        "fr": len(re.findall(r"\b(?:je|suis|et|les|vous|jusqu|retour)\b", body)),
        "es": len(re.findall(r"\b(?:estoy|hasta|los|usted|gracias|fuera)\b", body)),
        "it": len(re.findall(r"\b(?:sono|fino|il|della|grazie|rientro)\b", body)),
        "nl": len(re.findall(r"\b(?:ik|ben|tot|met|niet|terug|uw)\b", body)),
        "pt": len(re.findall(r"\b(?:estou|ate|obrigad[oa]|voce|nao|regresso)\b", body)),
        "en": len(re.findall(r"\b(?:i|the|and|until|back|office|will)\b", body)),
    }
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] else None


def _referral(mail: ParsedMail, text: str) -> tuple[str | None, str | None]:
    """The first address in the responder's own words that is not the sender, us, or a robot; and a name by it."""
    ours = {address.lower() for address in mail.to_addresses}
    for match in _EMAIL.finditer(text):
        address = match.group(0).strip(".'").lower()
        local = address.split("@")[0]
        if address == (mail.from_address or "") or address in ours or _NOT_A_PERSON.match(local):
            continue
        return address, _name_before(text[max(0, match.start() - 80) : match.start()]) or _name_after(
            text[match.end() : match.end() + 60]
        )
    return None, None


def _name_before(window: str) -> str | None:
    window = window.splitlines()[-1] if window.strip() else ""
    found = _NAME.search(window)
    return _clean_name(found.group(1)) if found else None


def _name_after(window: str) -> str | None:
    found = re.match(r"\s*[(\[]\s*([^)\]\n]{3,60})[)\]]", window)
    return _clean_name(found.group(1)) if found else None


def _clean_name(name: str) -> str | None:
    words = [word for word in name.split() if word.strip(".,").lower() not in _NAME_STOP]
    while words and words[0][:1].islower():
        words.pop(0)
    capitalised = [word for word in words if word[:1].isupper()]
    return " ".join(words) if len(capitalised) >= 2 else None
