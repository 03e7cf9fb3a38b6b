"""Role addresses (info@, reservations@, ...): shared mailboxes that are never sendable for cold outreach."""

from __future__ import annotations

ROLE_LOCAL_PARTS = frozenset(
    """
    admin administration billing booking bookings careers contact enquiries enquiry events frontdesk front.desk
    front-desk general groups hello help hr info inquiries inquiry jobs mail marketing media noreply no-reply
    office post postmaster press recepcion reception recruiting reservas reservations reservierung reservation
    rezeption empfang sales service support team webmaster welcome abuse accounts accounting concierge guest
    guests guestservices guest.services hotel kontakt contatti prenotazioni info.hotel mice spa restaurant
    """.split()
)


def is_role_address(email: str) -> bool:
    local = email.partition("@")[0].lower()
    base = local.split("+", 1)[0]
    return base in ROLE_LOCAL_PARTS or base.rstrip("0123456789") in ROLE_LOCAL_PARTS
