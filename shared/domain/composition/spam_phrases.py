"""Phrases that mark a cold email as spam to filters and readers, per language. Matched case-folded on word
boundaries (validation.py); multi-word where the single word is ordinary business language ("free" alone is not
here, "100% free" is; "kostenlos" alone is not, "100% kostenlos" is). Each entry is as a reader would type it.
"""

from __future__ import annotations

SPAM_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        *("act now", "act immediately", "apply now", "buy now", "order now", "call now", "click here", "click below"),
        *("100% free", "absolutely free", "free money", "free gift", "free access", "risk-free", "risk free"),
        *("no obligation", "no strings attached", "no credit check", "100% guaranteed", "guaranteed results"),
        *("money back guarantee", "money-back guarantee", "limited time offer", "limited time only", "offer expires"),
        *(
            "once in a lifetime",
            "special promotion",
            "exclusive deal",
            "best price",
            "lowest price",
            "lowest rates ever",
        ),
        *("make money", "earn money", "extra income", "cash bonus", "double your", "you have won", "you've won"),
        *("you are a winner", "you have been selected", "dear friend", "congratulations you", "urgent response"),
        *("this is not spam", "this isn't spam", "not junk", "miracle", "viagra", "crypto giveaway", "$$$", "€€€"),
    ),
    "de": (
        *("jetzt kaufen", "jetzt bestellen", "jetzt zugreifen", "hier klicken", "100% kostenlos", "gratis geschenk"),
        *("sie haben gewonnen", "du hast gewonnen", "nur heute", "nur für kurze zeit", "risikofrei", "100% garantiert"),
        *("geld verdienen", "schnelles geld", "sonderangebot", "einmalige gelegenheit", "ohne risiko"),
        *("bestpreis", "tiefstpreis", "kein spam", "geld-zurück-garantie"),
    ),
    "fr": (
        *("cliquez ici", "100% gratuit", "totalement gratuit", "achetez maintenant", "commandez maintenant"),
        *("vous avez gagné", "offre spéciale", "offre limitée", "offre exceptionnelle", "sans risque"),
        *("argent facile", "gagner de l'argent", "satisfait ou remboursé", "meilleur prix", "prix imbattable"),
        *("ceci n'est pas un spam", "opportunité unique"),
    ),
    "es": (
        *("haga clic aquí", "haz clic aquí", "pulse aquí", "100% gratis", "totalmente gratis", "compre ahora"),
        *("compra ahora", "ha ganado", "has ganado", "oferta especial", "oferta limitada", "sin riesgo"),
        *("dinero fácil", "gane dinero", "gana dinero", "mejor precio", "precio más bajo", "esto no es spam"),
        *("oportunidad única",),
    ),
    "it": (
        *("clicca qui", "100% gratis", "completamente gratis", "compra ora", "acquista ora", "hai vinto"),
        *("ha vinto", "offerta speciale", "offerta limitata", "senza rischi", "senza rischio", "soldi facili"),
        *("guadagna soldi", "miglior prezzo", "prezzo più basso", "questo non è spam", "occasione unica"),
    ),
    "nl": (
        *("klik hier", "100% gratis", "helemaal gratis", "nu kopen", "koop nu", "bestel nu", "speciale aanbieding"),
        *("u heeft gewonnen", "je hebt gewonnen", "beperkte aanbieding", "zonder risico", "snel geld"),
        *("geld verdienen", "laagste prijs", "beste prijs", "dit is geen spam", "unieke kans"),
    ),
    "pt": (
        *("clique aqui", "100% grátis", "totalmente grátis", "compre agora", "compre já", "você ganhou"),
        *("oferta especial", "oferta limitada", "sem risco", "dinheiro fácil", "ganhe dinheiro", "melhor preço"),
        *("preço mais baixo", "isto não é spam", "oportunidade única"),
    ),
}


def all_phrases() -> tuple[str, ...]:
    """Every phrase once, longest first (so the regex reports "100% free" rather than a shorter overlap)."""
    unique = {phrase.casefold() for phrases in SPAM_PHRASES.values() for phrase in phrases}
    return tuple(sorted(unique, key=lambda p: (-len(p), p)))
