"""The words hotel pages use, in the languages we read (en, de, it, fr, es, pl, no/da/sv, nl, pt, ja): property
types, room counts, star ratings, amenities, and the boilerplate that is never a fact (cookie notices, calls to
action, parked domains). Compiled on first use by `shared.domain.enrichment.facts`.
"""

from __future__ import annotations

# (label, pattern): most specific first; matched case-insensitively on word boundaries.
PROPERTY_TYPES: tuple[tuple[str, str], ...] = (
    ("boutique hotel", r"boutique[- ]?hot[eé]ls?|h[oô]tel[- ]boutique|boutiquehotel\w*"),
    ("design hotel", r"design[- ]?hot[eé]ll?s?|hotel di design|h[oô]tel design"),
    ("aparthotel", r"apart[- ]?hot[eé]ls?|apartment hotel|aparthotel\w*"),
    ("ryokan", r"ryokan|旅館"),
    ("hostel", r"hostels?|auberge de jeunesse|jugendherberge|ostello|albergue|vandrerhjem"),
    ("B&B", r"bed (?:and|&|&amp;) breakfast|b ?& ?b|chambres? d'h[oô]tes?|bnb"),
    ("agriturismo", r"agriturismo|agritourisme"),
    ("guest house", r"guest ?houses?|g[äa]stehaus|pension|pensione|pensi[oó]n|pens[aã]o|pensjonat|gjestehus|"
                    r"casa de h[uú]espedes|pousada|maison d'h[oô]tes"),
    ("inn", r"inn|gasthof|gasthaus|landgasthof|auberge|locanda|posada|hoster[ií]a|kro"),
    ("chalet", r"chalets?|chalet[- ]?hotel"),
    ("lodge", r"lodge"),
    ("motel", r"motel"),
    ("resort", r"resorts?|resort hotel|ferienresort"),
    ("hotel", r"hot[eé]l[sa]?|hotell|albergo|hotelu|ホテル"),
)  # fmt: skip

# schema.org @type -> label (LodgingBusiness says nothing more than "a place to stay": the words decide).
SCHEMA_TYPES: dict[str, str] = {
    "hotel": "hotel", "resort": "resort", "bedandbreakfast": "B&B", "hostel": "hostel", "motel": "motel",
    "campground": "campsite", "vacationrental": "vacation rental", "skiresort": "resort",
}  # fmt: skip

ROOM_WORDS = (
    r"(?:guest ?|bed|hotel ?|g[äa]ste ?|hotel-?)?rooms?|bedrooms|zimmer|g[äa]stezimmer|hotelzimmer|camere|stanze|"
    r"chambres|habitaciones|pokoi|pokoje|pokojami|pokojów|pokojach|rom|værelser|v[äa]relser|rum|kamers|quartos|"
    r"apartamentos|suites|unit[aà] abitative|室"
)
ROOM_ADJECTIVES = (
    r"(?:(?:elegant|comfortable|individually designed|stylish|modern|luxurious|spacious|beautiful|cosy|cozy|"
    r"charming|bright|newly renovated|renovated|exclusive|unique|elegante[n]?|komfortable[n]?|gem[üu]tliche[n]?|"
    r"moderne[n]?|stilvolle[n]?|gro[ßs]z[üu]gige[n]?|individuelle[n]?|helle[n]?|ruhige[n]?|eleganti|confortevoli|"
    r"moderne|spaziose|raffinate|accoglienti|[ée]l[ée]gantes|confortables|spacieuses|charmantes|cosy|"
    r"elegantes|c[oó]modas|amplias|modernas|luksusowych|komfortowych|przytulnych|eleganckich|moderne|koselige|"
    r"elegante|comfortabele|sfeervolle|confort[aá]veis|de luxe|en suite|double|doppel)[\s-]+){0,2}"
)
ROOM_LABELS = (
    r"(?:number of (?:guest ?)?rooms|anzahl (?:der )?zimmer|zimmeranzahl|zimmerzahl|numero (?:di |delle )?camere|"
    r"nombre de chambres|n[uú]mero de habitaciones|liczba pokoi|antall rom|aantal kamers|n[uú]mero de quartos|"
    r"客室数)\s*[:\-–]?\s*"
)
ROOM_NOT_AFTER = (
    r"\s*(?:[,·|/]\s*)?(?:\d+\s*)?(?:adults?|guests?|persons?|people|erwachsene|personen|g[äa]ste|adulti|ospiti|"
    r"adultes|personnes|adultos|personas|doros[łl]ych|osoby|voksne|volwassenen)|"
    r"\s*(?:types?|categories|kategorien|typen|tipologie|cat[ée]gories|tipos|kategori\w*|categorie[ëe]n)"
)
APPROXIMATE = (
    r"(?:up to|over|more than|nearly|almost|about|around|approximately|approx\.?|some|bis zu|[üu]ber|mehr als|"
    r"rund|etwa|ca\.?|circa|fino a|oltre|pi[uù] di|quasi|jusqu'[àa]|plus de|pr[eè]s de|environ|hasta|m[aá]s de|"
    r"unas|unos|cerca de|ponad|do|oko[łl]o|prawie|opptil|over|omtrent|tot|meer dan|ruim|bijna|at[ée]|mais de)\s+$"
)

NUMBER_WORDS: dict[str, int] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "due": 2, "tre": 3,
    "quattro": 4, "cinque": 5, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dos": 2, "tres": 3, "cuatro": 4,
    "cinco": 5, "dwu": 2, "trzy": 3, "cztero": 4, "pięcio": 5, "trzech": 3, "czterech": 4, "pięciu": 5, "fire": 4,
    "fem": 5, "twee": 2, "drie": 3, "vijf": 5, "três": 3, "quatro": 4,
}  # fmt: skip
STAR_WORDS = (
    r"[- ]?(?:stars?|sterne?n?|sterren|stelle|[ée]toiles?|estrellas?|estrelas?|stjerner?|stjärnig[ta]?|"
    r"gwiazdk\w*|gwiazd\w*)"
)
STAR_NUMBER = r"(?<![\d.,/])([1-5])(?![.,]\d)|\b(" + "|".join(NUMBER_WORDS) + r")"
STAR_GLUED = r"\b(jedno|dwu|trzy|cztero|pięcio|drei|vier|fünf|drie|vier|vijf)(?:-)?(?:sterne?|gwiazdkowy|sterren)"
REVIEW_CONTEXT = (
    r"tripadvisor|google|booking\.com|holidaycheck|trustyou|expedia|review|bewertung|recensioni|recension|avis|"
    r"opiniones|opinie|anmeldelse|beoordeling|rated|rating|out of 5|von 5|di 5|sur 5|de 5|z 5|av 5|van 5|/\s*5\b|"
    r"guests? (?:rate|say|love)|g[äa]ste bewerten|kundenbewertung|valutazion|note (?:des|de nos) clients"
)
STAR_NOT_AFTER = (
    r"[\s-]*(?:service|experience|comfort|luxury|treatment|quality|dining|cuisine|erlebnis|esperienza|"
    r"exp[ée]rience|experiencia|servizio|reviews?|ratings?|bewertungen)"
)

# (label, pattern, group): in priority order; one label per group (the first found wins).
FEATURES: tuple[tuple[str, str, str], ...] = (
    ("spa", r"(?:day |wellness[- ]?|hotel )?spa(?:-bereich| area| centre| center)?|centro spa|espace spa", "spa"),
    ("infinity pool", r"infinity[- ]?pool|piscina a sfioro|piscine [àa] d[ée]bordement|piscina infinita", "pool"),
    ("indoor pool", r"indoor (?:swimming )?pool|hallenbad|innenpool|piscina (?:coperta|interna|cubierta|climatizada)|"
                    r"piscine (?:int[ée]rieure|couverte)|basen kryty|innend[øo]rs basseng|binnenzwembad", "pool"),
    ("outdoor pool", r"outdoor (?:swimming )?pool|au[ßs]enpool|freibad|piscina (?:esterna|all'aperto|exterior|al aire "
                     r"libre)|piscine ext[ée]rieure|basen zewn[eę]trzny|utend[øo]rs basseng|buitenzwembad", "pool"),
    ("pool", r"(?:swimming[- ]?)?pools?(?! table)|schwimmbad|piscinas?|piscines?|basen|sv[øo]mmebasseng|"
             r"zwembad", "pool"),
    ("wellness area", r"wellness(?:bereich|oase|area|zone|center|centre)?|centro benessere|espace bien-[êe]tre|"
                      r"zona (?:de )?(?:bienestar|wellness)|strefa (?:wellness|spa)", "wellness"),
    ("sauna", r"saun(?:a|as|y)|saunabereich|saunalandschaft|badstue|bastu", "sauna"),
    ("onsen", r"onsen|温泉", "onsen"),
    ("steam room", r"steam (?:room|bath)|hammam|dampfbad|bagno turco|ba[ñn]o turco|[łl]a[źz]nia parowa", "steam"),
    ("rooftop terrace", r"roof ?top terrace|roof terrace|dachterrasse|terrazza (?:panoramica|sul tetto)|"
                        r"toit[- ]terrasse|terrasse (?:sur le toit|panoramique)|terraza (?:en la azotea|panor[aá]mica)|"
                        r"azotea|taras na dachu|takterrasse|dakterras", "terrace"),
    ("rooftop bar", r"roof ?top bar|sky ?bar|bar (?:sul tetto|panoramico)|bar en la azotea", "rooftop bar"),
    ("restaurant", r"(?:in-house |hotel |gourmet |seafood |fish )?restaurant(?!s)|ristorante(?!i)|"
                   r"restaurante(?!s)|restauracj[aiię]|restauranten|eigen restaurant", "restaurant"),
    ("bar", r"(?:hotel |cocktail |wine |lobby )?bar(?!s|b|r|n|e|i|\w)|lounge bar|weinbar|enoteca", "bar"),
    ("conference rooms", r"conference (?:rooms?|centre|center|facilities)|meeting (?:rooms?|facilities|spaces?)|"
                         r"tagungsr[äa]ume?|seminarr[äa]ume?|konferenzr[äa]ume?|tagungen|sal[ae] (?:riunioni|"
                         r"conferenze|meeting)|centro congressi|salles? (?:de s[ée]minaires?|de r[ée]union|de "
                         r"conf[ée]rence)|salas? de (?:reuniones|conferencias|eventos)|sale? konferencyjn\w+|"
                         r"m[øo]terom|konferanse\w*|vergader(?:zalen|zaal|ruimtes?)", "meetings"),
    ("ballroom", r"ballroom|ballsaal|salone delle feste|salle de bal|sal[óo]n de baile", "ballroom"),
    ("fitness room", r"gym|fitness (?:room|centre|center|studio|area)|fitnessraum|fitnessstudio|fitnessbereich|"
                     r"palestra|salle de (?:sport|fitness)|gimnasio|si[łl]ownia|treningsrom|sportschool", "fitness"),
    ("hot tub", r"hot ?tub|jacuzzi|whirlpool|vasca idromassaggio|bain nordique|bañera de hidromasaje", "hot tub"),
    ("private beach", r"private beach|privatstrand|spiaggia privata|plage priv[ée]e|playa privada|"
                      r"prywatna pla[żz]a", "beach"),
    ("beachfront", r"beachfront|on the beach|direkt am strand|fronte mare|sulla spiaggia|pieds dans l'eau|"
                   r"frente al mar|primera l[ií]nea de playa|(?:tuż )?przy pla[żz]y", "beach"),
    ("sea views", r"sea views?|ocean views?|meerblick|vista mare|vue (?:sur la )?mer|vistas al mar|widok na morze|"
                  r"havutsikt|zeezicht", "view"),
    ("river views", r"river views?|flussblick|vista (?:sul )?fiume|"
                    r"vue sur (?:la )?(?:rivi[eè]re|seine|rh[oô]ne|sa[oô]ne)|"
                    r"vistas al r[ií]o|vista (?:para o|sobre o) (?:rio|douro)|widok na rzek[eę]|utsikt over elven?",
     "view"),
    ("lake views", r"lake views?|seeblick|vista lago|vue sur le lac|vistas al lago", "view"),
    ("mountain views", r"mountain views?|bergblick|vista (?:sulle )?montagn[ae]|vue sur les montagnes", "view"),
    ("garden", r"gardens?|garten|hotelgarten|giardino|jardin|jard[ií]n|ogr[óo]d|hage|tuin", "garden"),
    ("terrace", r"terraces?|terrasse|sonnenterrasse|terrazza|terraza|taras|terras|terra[çc]o", "terrace"),
    ("ski-in/ski-out", r"ski[- ]in(?:\s*/?\s*ski[- ]out)?|direkt an der piste|sulle piste|au pied des pistes", "ski"),
    ("golf course", r"golf course|golfplatz|campo da golf|terrain de golf|parcours de golf|campo de golf", "golf"),
    ("kids club", r"kids'? club|kinderclub|mini ?club|club enfants|club infantil", "kids"),
    ("adults only", r"adults[- ]only|nur f[üu]r erwachsene|solo adulti|solo adultos|"
                    r"r[ée]serv[ée] aux adultes", "adults"),
    ("pet friendly", r"pets? (?:are )?welcome|pet[- ]friendly|dog[- ]friendly|hunde (?:sind )?(?:herzlich )?willkommen|"
                     r"hundefreundlich|animali (?:domestici )?ammessi|animaux (?:sont )?(?:admis|accept[ée]s)|"
                     r"se admiten mascotas|pet friendly", "pets"),
    ("airport shuttle", r"airport (?:shuttle|transfers?)|flughafen(?:transfer|shuttle)|navetta (?:per l')?aeroport\w*|"
                        r"navette a[ée]roport|traslado (?:al|desde el) aeropuerto", "shuttle"),
    ("bicycle rental", r"bike (?:rental|hire)|bicycle (?:rental|hire)|e-?bike (?:rental|hire)|fahrradverleih|"
                       r"radverleih|noleggio bici\w*|location de v[ée]los|alquiler de bicicletas|"
                       r"wypo[żz]yczalnia rower[óo]w|sykkelutleie|fietsverhuur", "bikes"),
    ("EV charging", r"ev charging|electric (?:car|vehicle) charging|e-?ladestation|ladestation|e-tankstelle|"
                    r"colonnin\w+ (?:di ricarica|elettric\w+)|borne de recharge|punto de recarga", "ev"),
    ("parking", r"parking|car park|parkplatz|parkpl[äa]tze|tiefgarage|parcheggio|garage|aparcamiento|parkering|"
                r"parkeerplaats|estacionamento", "parking"),
)  # fmt: skip

NEGATION = r"(?:no|not|without|kein\w*|ohne|senza|non|sans|pas de|sin|bez|ingen|geen|sem)\s+(?:\w+\s+)?$"
NEARBY = (
    r"nearby|near |close to|\b\d+\s*(?:min|minutes|km|m|meters|metres|minuten|minuti|mètres)\b|walk|in der n[äa]he|"
    r"nahe|entfernt|vicin[oa]|a pochi passi|[àa] proximit[ée]|[àa] deux pas|pr[eè]s d[eu]|cerca de|a pocos|"
    r"w pobli[żz]u|i n[æa]rheten|in de buurt|nabij|perto d"
)

COOKIE = (
    r"cookies?|consent|datenschutzeinstellungen|privacy (?:settings|preferences)|informasjonskapsler|"
    r"gdpr|rgpd|dsgvo|ciasteczk"
)
COOKIE_TITLE = r"^(?:cookie|consent|privacy|before you continue|bevor sie fortfahren|datenschutz)"
CTA = (
    r"^(?:book(?: now| your stay| direct)?|jetzt buchen|buchen|prenota(?: ora| subito)?|r[ée]server(?: maintenant)?|"
    r"reservar(?: ahora)?|reserve now|zarezerwuj|bestill(?: n[åa])?|boek nu|check availability|verf[üu]gbarkeit "
    r"pr[üu]fen|best price guarantee|read more|mehr erfahren|scopri di più|en savoir plus|leer m[aá]s|"
    r"learn more|skip to (?:main )?content|zum inhalt springen|menu|men[üu])\b"
)
BOILERPLATE = (
    r"just another wordpress site|this is (?:your|my) (?:site|website)|welcome to (?:my|our|the) (?:new )?"
    r"(?:site|website|blog)|powered by|all rights reserved|alle rechte vorbehalten|lorem ipsum|"
    r"javascript (?:is )?(?:disabled|required)|enable javascript|please enable|your browser"
)
PARKED = (
    r"(?:this|the) domain (?:name )?(?:is|may be) (?:for sale|available)|buy this domain|domain (?:is )?parked|"
    r"parked (?:free|domain)|parkingcrew|sedoparking|sedo domain parking|dan\.com|afternic|hugedomains|"
    r"bodis|domain for sale|inquire about this domain|diese domain (?:kann erworben werden|steht zum verkauf|"
    r"ist geparkt)|questo dominio [èe] in vendita|ce (?:nom de )?domaine est [àa] vendre|este dominio est[áa] "
    r"(?:a la venta|en venta)|ta domena jest na sprzeda[żz]|domain default page|future home of|website coming soon|"
    r"is under construction|account suspended|this account has been suspended"
)
PORTALS = (
    "booking.com", "expedia.", "hotels.com", "tripadvisor.", "airbnb.", "agoda.", "trivago.", "hrs.", "kayak.",
    "holidaycheck.", "opodo.", "edreams.", "lastminute.", "ebookers.", "hostelworld.", "vrbo.", "priceline.",
    "orbitz.", "travelocity.", "facebook.com", "instagram.com", "yelp.", "google.", "hotel.info", "weg.de",
)  # fmt: skip
