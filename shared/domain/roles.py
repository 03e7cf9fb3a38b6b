"""Role addresses (info@, reservations@, sales@...): real mailboxes but not a person. They are imported, flagged
`email_is_role`, and never sendable (Prospect.sendable). The local part is compared without digits and separators
("front.desk", "info2"), and its first segment too ("reservations.munich@"), except for short words that are also
initials or names ("hr", "pr", "it"), which must be the whole local part.
"""

from __future__ import annotations

import re

_ROLE_STRIP = re.compile(r"[^a-z]")
_ROLE_SEGMENT = re.compile(r"[._+-]")

# Compared against the local part with digits and separators removed, and against its first segment.
_ROLE_WORDS_TEXT = """
info information reservations reservation reservas reserva reservierung reservierungen booking bookings buchung
buchungen sales salesoffice reception rezeption recepcion empfang frontdesk frontoffice desk contact contacts
contactus kontakt contacto contatto hello hallo hola hi welcome willkommen admin administrator administration office
buero bureau events event eventsales meetings weddings groups marketing press media jobs careers career karriere
recruiting recruitment bewerbung hiring noreply donotreply support help helpdesk service services customerservice
guestservices guest guests enquiries enquiry inquiries inquiry anfrage anfragen team mail post postmaster webmaster
hostmaster abuse billing invoice invoices accounts accounting finance buchhaltung privacy datenschutz legal
compliance security newsletter notifications mailerdaemon root all everyone staff concierge spa restaurant revenue
rooms housekeeping general hotel mailbox direction direccion direzione accueil prenotazioni prenotazione
ricevimento rezervace hr pr it fb res
"""
# Too short or too name-like to match as a first segment ("post.anna@"); they count only as the whole local part.
_ROLE_WHOLE_ONLY_TEXT = "hr pr it fb res hi all root desk hotel general rooms guest spa team mail post"
ROLE_WORDS = frozenset(_ROLE_WORDS_TEXT.split())
_ROLE_WHOLE_ONLY = frozenset(_ROLE_WHOLE_ONLY_TEXT.split())


def is_role_address(address: str) -> bool:
    local = address.rpartition("@")[0].casefold().split("+", 1)[0]
    if _ROLE_STRIP.sub("", local) in ROLE_WORDS:
        return True
    first = _ROLE_STRIP.sub("", _ROLE_SEGMENT.split(local, 1)[0])
    return first in ROLE_WORDS and first not in _ROLE_WHOLE_ONLY
