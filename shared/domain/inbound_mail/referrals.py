"""The person a reply refers us to: the first email address and the name beside it or after a trigger
("my colleague Anna Schmidt", "Frau Lena Hoffmann (lena@x.example)"), else a name made from the address."""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Names and addresses of a referred person (original case): "my colleague Anna Schmidt", "Anna Schmidt <a@x.com>".
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PARTICLE = r"(?:van der|van|von|de la|de|der|den|da|di|del|dos|das|du|le|la|ten|ter)"
_NAME = rf"([A-ZÀ-Þ][\w'’-]+(?:\s+{_PARTICLE}?\s*[A-ZÀ-Þ][\w'’-]+){{0,2}})"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Dr|Herrn?|Frau|Mme|Mlle|M|Sr|Sra|Dott|Dott\.ssa|Sig|Sig\.ra|Dhr|Mevr|Mevrouw|Meneer)\.?\s+)?"
_NAME_BEFORE_EMAIL = re.compile(
    rf"{_TITLE}{_NAME}\s*(?:[<(\[:,-]|\bat\b|\bunter\b|\bà\b|\ben\b|\bem\b|\bsu\b|\bop\b|\bvia\b)\s*$"
)
_TRIGGER = re.compile(
    r"(?i:colleagues?|manager|director|kolleg(?:e|in|en)|coll[èe]gues?|compañer[oa]|colegas?|collega|colleghi|"
    r"contact(?:ez|ar|e|eer)?|reach out to|get in touch with|speak (?:to|with)|talk to|write to|e-?mail|ask|try|"
    r"wenden sie sich an|melden sie sich bei|an|à|con|met|com|a|with|to|cc)\s+" + _TITLE + _NAME
)
_NOT_NAMES = _words(
    "I We You He She They It My Our The This That Please Hi Hello Dear Thanks Thank Best Regards Kind Hallo Bonjour "
    "Hola Ciao Olá Sales Marketing Revenue Reservations Booking Team Department Manager Director Head General Office "
    "Monday Tuesday Wednesday Thursday Friday Herr Frau Sie Ihr Ihnen Mr Mrs Ms Dr Mme Sr Sra Email Mail CEO GM IT "
    "Unser Unsere Notre Nuestro Nuestra Nostro Nostra Onze Ons Nosso Nossa Er Mi Il Le La El Het De"
)
_GENERIC_LOCAL = _words(
    "info sales booking bookings reservations reservation office contact hello hallo marketing admin support "
    "reception rezeption empfang team mail service kontakt reservas reservierung prenotazioni direction"
)


def referral_of(text: str) -> tuple[str | None, str | None]:
    """The referred person's email and name when the text names someone else, else None for either."""
    emails = _EMAIL.findall(text)
    email = emails[0].lower().rstrip(".") if emails else None
    name = None
    if emails:
        before = text[: text.find(emails[0])].rstrip("<([ \t")
        match = _NAME_BEFORE_EMAIL.search(before + " ") or _NAME_BEFORE_EMAIL.search(before)
        name = _clean_name(match.group(1)) if match else None
    if name is None:
        for match in _TRIGGER.finditer(text):
            name = _clean_name(match.group(1))
            if name:
                break
    if name is None and email:
        name = _name_from_local(email.split("@")[0])
    return email, name


def _clean_name(raw: str) -> str | None:
    words = raw.split()
    while words and words[0].strip(".") in _NOT_NAMES:
        words = words[1:]
    while words and words[-1].strip(".") in _NOT_NAMES:
        words = words[:-1]
    if not words or any(w.isupper() and len(w) > 1 for w in words):
        return None
    return " ".join(words)


def _name_from_local(local: str) -> str | None:
    pieces = [p for p in re.split(r"[._-]+", local) if p]
    if local in _GENERIC_LOCAL or len(pieces) < 2 or not all(p.isalpha() and len(p) > 1 for p in pieces):
        return None
    return " ".join(p.capitalize() for p in pieces)
