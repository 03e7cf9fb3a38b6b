"""The reply classifier's rule tables: the `Rule` shape, negation words, phrases that negate nothing, and the
weighted multilingual patterns per label (folded text: lower case, no accents). Data only; `intent` reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    label: str
    name: str
    pattern: re.Pattern[str]
    weight: float
    negatable: bool = False


def _rule(label: str, name: str, weight: float, *alternatives: str, negatable: bool = False) -> Rule:
    return Rule(label, name, re.compile(r"\b(?:" + "|".join(alternatives) + ")"), weight, negatable)


def _positive(label: str, name: str, weight: float, *alternatives: str) -> Rule:
    """A rule a negation before the match cancels ("not interested", "kein Termin")."""
    return _rule(label, name, weight, *alternatives, negatable=True)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


REFER_VERB = re.compile(
    r"\b(try|contact|write|e-?mail|reach|ask|kontakt|schreib|wenden|contact|ecri|escrib|contact|scriv|contatt|mail"
    r"|stuur|neem|fale|fala|escrev|entre em|kontaktieren|responsable|zustandig|colleague|kolleg|collegue|colega"
    r"|collega|companer|collegh|socio|referente|encarg|occup|cuida|kummert|encaminh"
    r"|forward|weiter|transf|reenv|inoltr|doorgestuurd|cc|director|directeur|diretor|direttore"
    r"|directrice|directora|direttrice|diretora|manager|owner|ceo|gm|geschaftsfuhr|inhaber|leiter|proprietai|dueno"
    r"|propietari|titolare|eigenaar|dono|gerente|gestor|responsabile|verantwoordelijk|marketing|revenue|sales)\w*"
)
# "see if anyone is interested", "ob Interesse besteht": interest in question, not interest shown
CONDITIONAL = re.compile(
    r"\b(if|whether|ob)\b[^.?!\n]{0,40}interes\w*"
    r"|\b(if|in case|falls|wenn)\b[^.?!\n,]{0,30}\b(doesn't|does not|don't|won't|isn't|not|nicht|kein\w*)\b"
    r"[^.?!\n,]{0,30}"
)
NEGATED = {
    "interested": Rule("not_interested", "negated interest", re.compile("$^"), 0.8),
    "meeting_request": Rule("not_interested", "negated meeting", re.compile("$^"), 0.6),
}
# Phrases whose negation word negates nothing ("no problem", "why not"): made one token before negations are read.
EXCEPTIONS: tuple[tuple[str, str], ...] = tuple(
    (rf"\b{phrase}\b", phrase.replace(" ", "_").replace("\\", ""))
    for phrase in (
        "no problem", "not a problem", "no worries", "why not", "not only", "no doubt", "kein problem",
        "warum nicht", "nicht nur", "pas de probleme", "pourquoi pas", "non seulement", "sin problema",
        "no hay problema", "por que no", "nessun problema", "perche no", "non solo", "geen probleem",
        "waarom niet", "niet alleen", "sem problema", "por que nao", "nao so",
    )
)  # fmt: skip
NEGATIONS = _words(
    "not no never dont cannot nicht kein keine keinen keinem keiner nie niemals pas ne n jamais aucun aucune "
    "nunca ni non mai niet geen nooit nao nem nenhum nenhuma"
)
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|montag|dienstag|mittwoch|donnerstag|freitag|lundi|mardi|mercredi"
    r"|jeudi|vendredi|lunes|martes|miercoles|jueves|viernes|lunedi|martedi|mercoledi|giovedi|venerdi|maandag"
    r"|dinsdag|woensdag|donderdag|vrijdag|segunda|terca|quarta|quinta|sexta|tomorrow|morgen|demain|manana|domani"
    r"|amanha|next week|nachste woche|la semaine prochaine|semaine prochaine|la proxima semana|proxima semana"
    r"|la prossima settimana|prossima settimana|volgende week|semana que vem)"
)
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|januar|februar|marz"
    r"|juni|juli|oktober|dezember|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre"
    r"|decembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio"
    r"|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|januari|februari|maart|mei|augustus|janeiro"
    r"|fevereiro|marco|maio|junho|julho|setembro|outubro|novembro|dezembro)"
)
_CALL = (
    r"(?:call|meeting|chat|demo|zoom|teams call|video ?call|phone call|termin|telefonat|telefontermin|gesprach|echange"
    r"|videocall|rendez-vous|rdv|appel|reunion|visio|entretien|llamada|cita|videollamada|chiamata|riunione"
    r"|incontro|appuntamento|videochiamata|telefonata|afspraak|belafspraak|gesprek|chamada|reuniao|conversa"
    r"|videochamada|ligacao)"
)
RULES: tuple[Rule, ...] = (
    # unsubscribe
    _rule(
        "unsubscribe",
        "unsubscribe word",
        0.95,
        r"unsubscrib",
        r"abmeld",
        r"abbestell",
        r"austragen",
        r"tragen sie (mich|uns) .{0,20}aus",
        r"desabonn",
        r"desinscri",
        r"dar(me|nos|se) de baja",
        r"disiscri",
        r"afmeld",
        r"uitschrijv",
        r"schrijf (mij|me|ons) uit",
        r"descadastr",
        r"opt (me|us|this address) out",
        r"^(please |pls |plz |kindly )?(remove|remove me|stop|unsubscribe|baja|cancellami|cancellatemi)$",
        r"cancel (my|the|this) (subscription|registration)",
        r"(annuler|resilier) (mon|mes|l') ?(abonnement|inscription)",
        r"cancelar (a |mi |la |o |minha |meu )?(minha |mi )?(subscricao|inscricao|assinatura|suscripcion|registo)",
        r"opt(ing)?[- ]?out",
    ),
    _rule(
        "unsubscribe",
        "remove me",
        0.92,
        r"remove (me|us|my|our|this (email|address))",
        r"take (me|us|my \w+) off",
        r"off (your|the|all) (\w+ )?(mailing |contact |e-?mail )?lists?",
        r"delete (my|our) (data|details|e-?mail|address|contact|information)",
        r"leave (me|us) alone",
        r"(aus|von) (ihrem|ihren|eurem|dem|diesem) (verteiler|e-?mail-?verteiler|liste|newsletter)",
        r"(mich|uns|meine (e-?mail-?)?adresse|meine daten) .{0,25}(entfernen|loschen|streichen)",
        r"(loschen|entfernen) sie (bitte )?(mich|uns|meine)",
        r"(retirez|supprimez|enlevez|radiez)[- ](moi|nous)",
        r"(retirer|supprimer|effacer) (mon|mes|notre)",
        r"de (votre|vos) (liste|fichier|base)",
        r"(eliminar|borrar|quitar|sacar)(me|nos)? de",
        r"(eliminen|borren|eliminad|borrad|quiten|saquen) (mis|nuestros|mi|me|nos)",
        r"(rimuover|toglier|cancellar)(mi|ci)",
        r"(rimuovete|togliete|cancellate)(mi|ci)?\b",
        r"dalla (vostra|sua) (lista|mailing)",
        r"verwijder (mij|me|ons|mijn|onze)",
        r"uit (uw|jullie|je|het) (bestand|lijst|mailinglijst|database|adressenbestand)",
        r"remov(a|am|er|am)(-me|-nos| me| nos)? (da|de) ",
        r"(tirar|tire|tirem|retirar|retire|retirem)(-me|-nos)? d",
        r"(apague|apaguem|eliminem|apagar) (os )?(meus|nossos|o meu)",
    ),
    _rule(
        "unsubscribe",
        "stop mailing",
        0.9,
        r"(not|n't|no longer|never|pas|plus|nicht|no|non|niet|nao)\b.{0,25}\b(contacted|contacte|contactad|contattat"
        r"|kontaktiert|angeschrieben|benaderd|gecontacteerd|contatad|mailed|e-?mailed)\w*",
        r"(rufen|schreiben|mailen|kontaktieren|anrufen|anschreiben) sie (mich|mir|uns) (bitte )?(nicht|nie) mehr",
        r"stop(ped|ping)? (e-?mailing|mailing|contacting|sending|writing|spamming|messaging)",
        r"(remov|delet|rimuov|cancell|elimin|supprim|retir|effac|entfern|losch|verwijder|borr|apag)\w*\b.{0,20}"
        r"\b(my|mio|mia|miei|mon|ma|mes|mi|mis|meine|meinen|mijn|meu|minha|meus|our|nostro|notre|nuestro|unsere|onze"
        r"|nosso|il mio|i miei)\b.{0,10}\b(contact|contatto|contatti|address|indirizzo|adresse|adres|e-?mail|mail|data"
        r"|dati|donnees|datos|dados|daten|gegevens|details|nominativo|coordonnees)",
        r"niet (meer|langer) (benaderd|gemaild|gecontacteerd|lastiggevallen|gebeld)",
        r"(want|need|asking|ask) you to stop",
        r"^(please )?stop\b",
        r"spamming",
        r"(do not|don't|dont|never|please don't) (e-?mail|contact|write|message|send|mail)"
        r" (me|us|to me|to us|again|anything)",
        r"no (more|further) (e-?mails|messages|mails|contact|follow-?ups|reminders)",
        r"stop (the |your |these )?(follow-?ups|reminders|emails|messages)",
        r"ne plus (m'|me |nous )?(envoyer|ecrire|contacter|solliciter)",
        r"(don't|do not) want (any )?(more|further) (e-?mails|messages)",
        r"keine (weiteren |e-?mails |mails )?(e-?mails|mails|nachrichten|werbung|zusendungen|kontaktaufnahme)( mehr)?",
        r"keine (weiteren )?\w*(mails?|werbung|nachrichten|zusendungen|newsletter)\b.{0,10}\bmehr\b",
        r"(schicken|senden|mailen|schreiben) sie (mir |uns )?(bitte )?(keine|nichts)\b.{0,30}\bmehr\b",
        r"(send|email|e-mail|mail|write|contact) (me|us) no (more|further)\b",
        r"nicht mehr (an)?(schreiben|kontaktieren|anschreiben|mailen|zusenden|belastigen)",
        r"nicht mehr (an)?(geschrieben|kontaktiert|angeschrieben|angemailt|belastigt|kontaktiert) (werden|zu werden)",
        r"(unterlassen sie|sehen sie von)",
        r"(kontaktieren|schreiben|anschreiben|mailen|kontaktiert) (sie|ihr) (mich|uns) (bitte )?nicht mehr",
        r"streichen sie",
        r"aus (ihrer|eurer|der) (liste|datenbank|kartei|adressliste)",
        r"ne (m'|m |me |nous )(ecrivez|envoyez|contactez|sollicitez|ecrivez) plus",
        r"ne plus (recevoir|etre (contacte|sollicite))",
        r"(arretez|cessez) de (m|nous|me|nous) ?(ecrire|envoyer|contacter|solliciter)",
        r"plus (de|aucun) (mails|e-?mails|courriels|messages)",
        r"no (me|nos) (escriban|escribas|escribais|contacten|contactes|envien|envies|manden|vuelvan)( mas)?",
        r"dej(en|ad|e) de (me |nos )?(escribir|enviar|contactar|mandar)",
        r"no (me |nos )?(vuelvan|volvais|vuelvas|vuelva) a (escribir|contactar|enviar|mandar)",
        r"nao (me |nos )?(voltem|volte|voltes) a (escrever|contactar|contatar|enviar|mandar)",
        r"no (quiero|queremos) recibir",
        r"non (mi|ci) (scrivete|contattate|mandate|inviate|scriva|contatti)",
        r"non (scrivete|contattate|mandate|inviate)(mi|ci)",
        r"smettete(la)? di",
        r"non (contattarmi|scrivermi|contattarci|scriverci|mandarmi|inviarmi)",
        r"(de )?ne (plus|pas) me (contacter|ecrire|solliciter)",
        r"no (me|nos) (contacten|contactes|escriban) (mas|nunca)",
        r"non (voglio|vogliamo) (piu )?ricevere",
        r"(niet|nooit) meer (mailen|e-?mailen|benaderen|contacteren|sturen|mailen)",
        r"geen (e-?mails|mails|berichten|mailings) meer",
        r"stop (met|maar met) (mailen|e-?mailen|sturen)",
        r"nao (me|nos) (envie|enviem|mande|mandem|contacte|contactem|escreva|escrevam)( mais)?",
        r"parem de (me |nos )?(enviar|mandar|escrever|contactar)",
        r"nao (quero|queremos) (mais )?receber",
    ),
    _rule(
        "unsubscribe",
        "off the list",
        0.88,
        r"(remov|delet|off\b|get off|take off|entfern|streich|austrag|nehm|losch|retir|supprim|enlev|radi|borr|quit|sac"
        r"|elimin|cancell|togli|rimuov|haal|verwijder|remov|tir|apag)\w*\b.{0,60}\b(list|liste|lista|listas|verteiler"
        r"|mailingliste|mailinglijst|mailinglist|bestand|database|datenbank|base de donnees|base de datos"
        r"|banco de dados"
        r"|newsletter|mailing|lijst|fichier|kartei|distribution|contacts)\b",
        r"(list|liste|lista|verteiler|mailingliste|mailinglijst|bestand|datenbank|database)\b.{0,40}"
        r"\b(entfernen|streichen|loschen|austragen|nehmen|verwijderen|halen|remove|delete)\b",
        r"(no longer|not|don't|do not|never) (wish|want|like|care) to (receive|get|hear)",
        r"(receive|get) (any more|anymore|no more|further)",
        r"nicht (mehr|langer) (erhalten|bekommen|empfangen)",
        r"keine .{0,30}mehr (erhalten|bekommen|empfangen)",
        r"(ne|n') .{0,25}plus recevoir",
        r"ne plus recevoir",
        r"no (deseo|quiero|queremos|desea|deseamos)( seguir)? recibi",
        r"no (deseo|quiero|queremos) recibir",
        r"non (desidero|voglio|vogliamo|desideriamo) (piu )?ricevere",
        r"(wil|willen) .{0,15}(geen|niet) .{0,30}ontvangen",
        r"niet (meer|langer) ontvangen",
        r"geen .{0,30}meer (ontvangen|krijgen)",
        r"nao (desejo|quero|queremos|pretendo|desejamos) (mais |continuar a )?receber",
    ),
    # not_interested
    _rule(
        "not_interested",
        "not interested",
        0.9,
        r"(not|\w+n't|never) (really |very |currently |at all )?interested",
        r"no interest",
        r"(nicht|kein) (mehr )?interess",
        r"kein(en)? (interesse|bedarf)",
        r"pas (du tout )?interess",
        r"(aucun|pas d) ?interet",
        r"(ne|n) (nous|m|me) interesse (pas|plus)",
        r"(ca|cela) ne (nous|m|me) interesse",
        r"no (me|nos|le|les) interesa",
        r"no (estoy|estamos|esta|estan) interesad",
        r"sin interes",
        r"non (mi|ci|le|gli) interessa",
        r"non (sono|siamo|e|sarei|saremmo) interessat",
        r"nessun interesse",
        r"geen (interesse|behoefte)",
        r"niet geinteresseerd",
        r"nao (tenho|temos|ha) interesse",
        r"nao (estou|estamos) interessad",
        r"sem interesse",
        r"nao (me|nos) interessa",
    ),
    _rule(
        "not_interested",
        "no thanks",
        0.85,
        r"no,? (thanks?|thx|ty|tks)\b",
        r"no,? thank you",
        r"nein,? danke",
        r"danke,? (aber )?nein",
        r"non,? merci",
        r"merci,? (mais )?non",
        r"no,? gracias",
        r"gracias,? pero no",
        r"no,? grazie",
        r"grazie,? ma no",
        r"nee,? (dank|bedankt)",
        r"nao,? obrigad",
        r"we(')?ll pass",
        r"(i|we) (will|would|'ll|'d) (have to |rather )?pass",
        r"pass on (this|that|it)",
    ),
    _rule(
        "not_interested",
        "already covered",
        0.8,
        r"(we|i|we've|i've|we're|i'm|we are|i am|we have|i have|we do|^)\s*(already|now) (have|use|using|work with"
        r"|working with|got|signed|partner|run|running)",
        r"(we|i) (have|use|work with|run) .{0,40}\balready\b",
        r"(happy|satisfied|all set|covered) with (our|the) (current|existing)",
        r"(we are|we're|i am|i'm) all set",
        r"(haben|nutzen|verwenden|arbeiten) .{0,25}(bereits|schon)",
        r"(bereits|schon) (gut )?(versorgt|aufgestellt|eine|einen|ein)",
        r"(avons|ai|utilisons|travaillons) (deja|avec)",
        r"deja (un|une|equipe|notre|nos)",
        r"ya (tenemos|tengo|contamos|usamos|utilizamos|trabajamos)",
        r"(abbiamo|usiamo|utilizziamo|lavoriamo) gia",
        r"gia (un|una|abbiamo|utilizziamo|usiamo)",
        r"(hebben|gebruiken|werken) (al|reeds)",
        r"ja (temos|tenho|usamos|utilizamos|trabalhamos|contamos)",
        r"(work|working|trabajamos|travaillons|lavoriamo|werken|arbeiten|trabalhamos) (already |ya |deja |gia |al "
        r"|schon |bereits |ja )?(with|con|avec|met|mit|com) (a|an|una|un|une|een|einer|einem|uma|um|our|unserer"
        r"|nuestra|notre|la nostra|onze|nossa) (\w+ )?(agency|agencia|agence|agenzia|bureau|agentur|provider"
        r"|proveedor|prestataire|fornitore|anbieter|fornecedor|consultant|consultor|consulente|dienstleister)",
    ),
    _rule(
        "not_interested",
        "no need",
        0.8,
        r"(don't|do not|doesn't|does not) (really )?(need|require|want)",
        r"no need",
        r"(no|not|\w+n't|keine?n?|pas|sin|nessun\w*|non|geen|sem|nao|aucun\w*)\b.{0,15}\b(need|requirement|necesidad"
        r"|necessidade|bedarf|besoin|bisogno|necessita|behoefte|use for)\b",
        r"lohnt sich .{0,20}nicht",
        r"(not|isn't|wouldn't be|is not) worth (it|the)",
        r"no (vale|merece) la pena",
        r"ne vaut pas",
        r"non (vale|ne vale) la pena",
        r"loont (niet|de moeite niet)",
        r"nao (compensa|vale a pena)",
        r"no (estamos|estoy) en (condiciones|disposicion)",
        r"(not|aren't|are not) in a position to",
        r"nicht in der lage",
        r"pas en mesure",
        r"non (siamo|sono) in grado",
        r"niet in staat",
        r"nao (estamos|estou) em (condicoes|posicao)",
        r"(not|\w+n't) (a |the )?(good |right |real )?"
        r"(fit|relevant|for us|for me|the right time|a priority|priority|looking|something we)",
        r"(doesn't|does not|don't|do not|wouldn't|would not) (really )?(make sense|work for us|fit)",
        r"not (at|for) (this|the) (moment|time)",
        r"not (right )?now",
        r"no budget",
        r"budgets? (is|are) (tight|limited|frozen|spent|allocated)|(tight|limited|frozen) budgets?",
        r"(won't|will not|aren't|are not|not) (be )?(moving|going|taking (this|it)) (forward|further|ahead)",
        r"(won't|will not|not going to|decided not to|choose not to|chosen not to)"
        r" (proceed|pursue|go ahead|move ahead)",
        r"(wir|ich) passen\b|verzicht(en|e)\b|dankend ab|lehnen .{0,30}\bab\b",
        r"(siamo|sono|stiamo) (gia )?(a posto|apposto)|(estamos|estoy) (bien asi|servidos|cubiertos)"
        r"|(estamos|estou) (bem assim|servidos)|on est (bon|bien equipes?|deja equipes?)"
        r"|(we|wij) zijn (al )?(voorzien|goed geholpen)|(sind|bin) (bestens |schon |gut )?(versorgt|aufgestellt)",
        r"(brauchen|benotigen) (wir|ich) (derzeit |aktuell |momentan |zurzeit )?(nicht|kein)",
        r"(wir|ich) (brauchen|benotigen) (derzeit |aktuell |momentan |zurzeit |gerade )?(nichts|kein)",
        r"(passt|ist) (derzeit |aktuell |momentan )?nicht",
        r"(das|es|this|^)\s*passt (uns )?(gerade|derzeit|aktuell|momentan|jetzt|leider|zurzeit|im moment)? ?nicht\b",
        r"(no es|non e|nao e|n'est pas|ist nicht|is niet|it's not|it is not|not) (el|il|o|le|der|het|the|a)? ?"
        r"(momento|moment|zeitpunkt|time)\b( (giusto|adecuado|certo|ideal|oportuno|right|good|bon|richtige|juiste"
        r"|passende|indicado|propicio))?",
        r"(ne|n') ?(correspond|repond) pas",
        r"(doesn't|does not|don't|do not) (match|meet|fit) (our|my) (needs|requirements)",
        r"no (se ajusta|encaja|corresponde) (a|con)",
        r"non (risponde|corrisponde) a",
        r"past niet bij",
        r"nao (corresponde|se adequa|se encaixa)",
        r"entspricht nicht (unseren|unserem|unserer)",
        r"(derzeit|aktuell|momentan|zurzeit|zur zeit) (nicht|kein)",
        r"pas (besoin|pour nous|pour le moment|pour l'instant|le moment|pertinent|prioritaire)",
        r"(n'en|n) ?avons pas besoin",
        r"no (lo |la )?(necesitamos|necesito)",
        r"no es para nosotros",
        r"(por ahora|de momento|por el momento|ahora mismo) no",
        r"no (por|de) (ahora|momento|el momento)",
        r"non (ne )?(abbiamo|ho) bisogno",
        r"(per ora|al momento|per il momento|attualmente) no",
        r"non fa per noi",
        r"(niet|geen) nodig",
        r"(nu|momenteel|op dit moment|voorlopig) (niet|geen)",
        r"nao (precisamos|preciso|necessitamos)",
        r"(por agora|de momento|no momento|por enquanto) nao",
        r"nao e para nos",
        r"kein thema fur uns",
    ),
    _rule(
        "not_interested",
        "staying with what we have",
        0.8,
        r"(not|n't|pas|no|non|geen|nao|kein\w*|nicht|niet)\b.{0,20}\bpriori",
        r"(no|keine|pas le|pas de|geen|sem|nessun|non abbiamo) (time|zeit|temps|tiempo|tempo|tijd)\b.{0,10}"
        r"\b(for|fur|pour|para|per|voor) (new|neue|weitere|so etwas|nouveaux|nouvelles|nuevos|nuevas|nuovi|nuove|nieuwe"
        r"|novos|novas|this|that|such|dies|cela|esto|questo|dit|isso)",
        r"(with|mit|bei|avec|chez|con|com|met|using|use|have|haben|nutzen|already|bereits|schon|deja|ya|gia|al|ja)\b"
        r".{0,20}\b(another|a different|other|anderen|autre|otro|otra|altro|altra|andere|outro|outra) (provider"
        r"|vendor|company"
        r"|supplier|partner|solution|tool|system|anbieter|dienstleister|firma|partner|prestataire|fournisseur|societe"
        r"|entreprise|proveedor|empresa|solucion|fornitore|azienda|soluzione|leverancier|partij|bedrijf|oplossing"
        r"|fornecedor|solucao|agency|agentur|agence|agencia|agenzia|bureau)",
        r"(signed|contract|vertrag|contrat|contrato|contratto) .{0,30}(with|mit|avec|con|com|met) ",
        r"(keinen|kein) (wechsel|anbieterwechsel)",
        r"(planen|beabsichtigen) (derzeit |aktuell )?(keinen|nicht)",
        r"no (tenemos|tengo|hemos) (previsto|pensado|planeado)",
        r"(pas|aucun(ement)?) (prevu|projet|l'intention) de",
        r"non (prevediamo|abbiamo in programma|pensiamo|intendiamo) di",
        r"geen (plannen|intentie|plan) om",
        r"nao (temos|tenho) (planos|intencao)",
        r"(not|n't) (planning|plan|plans|intending) to",
        r"(ne|n') ?(donnerons|donnerai|pouvons|pourrons) pas suite",
        r"pas (de )?suite",
        r"no (daremos|podemos dar) (seguimiento|continuidad)",
        r"non (daremo|possiamo dare) seguito",
        r"nicht (weiterverfolgen|weiter verfolgen)",
        r"geen vervolg",
        r"nao (daremos|vamos dar) seguimento",
        r"(not|nicht|pas|no|non|niet|nao|n't)\b.{0,25}\b(looking for|evaluating|considering|reviewing|searching"
        r"|in the market"
        r"|suchen|evaluieren|cherchons|recherchons|buscando|evaluando|cercando|alla ricerca|valutando|zoeken|op zoek"
        r"|procura|a avaliar|avaliando|a procurar|a considerar)",
        r"stick(ing)? (with|to) (what|our)",
        r"(stay|staying) with (our|what)",
        r"(not|n't|never) (going to |gonna |planning to |looking to |about to )?(switch|change|move|replace)",
        r"no (plans?|intention|reason) to (switch|change|move)",
        r"waste (your|of) time",
        r"overkill",
        r"too (small|expensive|pricey|complex|complicated|costly)",
        r"zu (teuer|klein|aufwendig|kompliziert)",
        r"trop (cher|petit|complique)",
        r"demasiado (caro|pequeno|complicado)",
        r"troppo (caro|piccol|complicat)",
        r"te (duur|klein|ingewikkeld)",
        r"muito (caro|pequen|complicad)",
        r"(happy|satisfied|content|zufrieden|tevreden|satisfaits?|content(o|a|os|as)|soddisfatt[oi]|satisfeit[oa]s?"
        r"|contentes)\b.{0,40}\b(current|existing|present|aktuell|jetzig|bisherig|huidige|actuel|actual|attuale|atual"
        r"|provider|anbieter|partner|fornitore|proveedor|fornecedor|prestataire|leverancier|solution|losung|oplossing"
        r"|solucion|soluzione|solucao|sistema|system|what we have|tool|setup)",
        # object first: "mit unserem jetzigen Anbieter sehr zufrieden", "met onze huidige partner zijn we tevreden"
        r"(current|existing|aktuell|jetzig|bisherig|huidige|actuel|actual|attuale|atual|provider|anbieter|fornitore"
        r"|proveedor|fornecedor|prestataire|leverancier|losung|oplossing|solucion|soluzione|solucao)\w*\b.{0,40}"
        r"\b(sehr |voll |ganz |heel |erg |zeer |molto |muy |muito |tres |bien )?(zufrieden|tevreden|satisfaits?"
        r"|contents|contentes?|content(o|a|os|as)|soddisfatt[oi]|satisfeit[oa]s?|contentes|happy|satisfied)\b",
        r"no (nos|me) (hace falta|sirve|conviene|encaja|cuadra|convence)",
        r"non (ci|mi) (serve|servono|convince)",
        r"(niets|nichts|rien|nada|niente) (voor|fur|pour|para|per) (ons|uns|nous"
        r"|nosotros|noi|nos|mich|mij|moi)",
        r"kommt .{0,20}nicht in frage",
        r"(out of the question|hors de question|fuera de (toda )?cuestion"
        r"|fuori questione|geen optie|fora de questao)",
        r"locked (in|into)",
        r"(under|in) (a )?contract (with|until)",
        r"(vertraglich )?gebunden",
        r"sous contrat",
        r"(bajo|con) contrato",
        r"vincolati",
        r"contract (loopt|tot)",
        r"fidelizad",
        r"(handle|do|manage|gerons|gerer|gestiamo|gestionamos|gestionar|tratamos|machen|erledigen|doen|regelen|fazemos"
        r"|hacemos|facciamo|llevamos)\b.{0,30}\b(in-?house|internally|intern|interne|internamente|eigenregie|selbst"
        r"|zelf|nosotros mismos|noi stessi|nos mesmos)",
        r"(nao|no|non) e (do|de|di) (nosso|nuestro|nostro) interes",
        r"(n'est|ce n'est) pas (le moment|pour nous|notre priorite)",
        r"(not|n't) (the right time|a good time)",
        r"(ist|ware) (fur uns )?nicht (relevant|interessant|das richtige)",
        r"(we|i) (don't|do not|never) (do|use|work with|outsource|buy|need)\b",
        r"(pas|no|kein|keine|geen|sem|nessun|sin|aucun|niet|nao|not|\w+n't)\b.{0,15}\b(budget|presupuesto|orcamento)",
    ),
    _rule(
        "not_interested",
        "not now, maybe later",
        0.72,
        r"(ping|contact|reach out to|write to|email|follow up with|try) (me|us) (again )?(next|in|after) (month|year"
        r"|quarter|spring|summer|autumn|fall|the new year|a few (months|weeks)|\w+ months)",
        r"(andere|other|different|autres|otras|altre|outras) prior",
        r"(ne pas|no|non|niet|nicht|don't|do not) "
        r"(insister|insistir|insistere|aandringen|nachhaken|insist|push|chase)",
        r"(no es|n'est pas|non e|nicht|niet|nao e|not|isn't) (algo|quelque chose|qualcosa|etwas|iets|something) "
        r"(que|di cui|dont|was|wat|we|i)\b",
        r"(check|circle|reach|come|get) back (to us |to me )?(in|next|later|after)",
        r"later (in|this) (the )?year",
        r"(our|the|my) focus is (on|elsewhere)",
        r"(try|ask) (me |us )?again (in|next|later)",
        r"^(nicht jetzt|not now|pas maintenant|ahora no|non ora|nu niet|agora nao|not yet|noch nicht)\b",
        r"(maybe|perhaps|possibly|vielleicht|eventuell|peut-etre|quizas|quiza|tal vez|forse|misschien|talvez) .{0,20}"
        r"(next year|later|in the (spring|summer|fall|autumn|new year)|nachstes jahr|spater|im (fruhjahr|herbst"
        r"|sommer|neuen jahr)|l'annee prochaine|plus tard|el ano que viene|mas adelante|l'anno prossimo|piu avanti"
        r"|volgend jaar|no proximo ano|mais tarde|mais para a frente)",
        r"(no|keine|pas de|sin|nessuna|geen|sem) (capacity|bandwidth|kapazitat|ressourcen|capacite|capacidad|capacita"
        r"|capaciteit|capacidade)",
    ),
    _rule(
        "not_interested",
        "bare no",
        0.72,
        r"^(no|nope|nein|non|nee|nao|neen)$",
        r"^(we're|we are|i'm|i am|all) (good|fine|ok|sorted|covered|set)( for now)?(,? (thanks?|thank you|thx))?$",
    ),
    _rule(
        "not_interested",
        "does not concern us",
        0.78,
        r"(ne|n') ?(nous|me) concerne (pas|plus)",
        r"betrifft (uns|mich) nicht",
        r"no (nos|me) (concierne|aplica)",
        r"non (ci|mi) riguarda",
        r"niet op (ons|mij) van toepassing",
        r"nao se aplica",
        r"(doesn't|does not) (apply|concern) (to )?(us|me)",
    ),
    # meeting_request
    _positive(
        "meeting_request",
        "book a call",
        0.85,
        *(
            rf"(schedule|set up|setup|book|arrange|organi[sz]e|have|hop on|jump on|get on|plan|do) (a |an )?"
            rf"(quick |short |brief |first |\d+[- ]?min(ute)?s? )?{_CALL}",
            rf"{_CALL}\w* .{{0,30}}(vereinbaren|ausmachen|abstimmen|einplanen|planen|machen|fixer|planifier|organiser"
            rf"|programmer|caler|plannen|inplannen|vorschlagen|proposer|proponer|proporre|voorstellen|propor|suggest"
            rf"|propose)",
            r"(suggest|propose|send|give) (me |us )?(a few|some|a couple of|two|three|ein paar|einige|quelques|algunas"
            r"|alcune|een paar|algumas)? ?(times|slots|dates|termine|terminvorschlage|creneaux|horarios|orari|tijden"
            r"|datas|fechas|date)\b",
            rf"interes\w* .{{0,20}}{_CALL}",
            rf"(vereinbaren|ausmachen|fixer|planifier|organiser|programmer|prendre|caler|agendar|programar|concertar"
            rf"|organizar|fijar|tener|fissare|organizzare|programmare|fare|avere|plannen|inplannen|maken|marcar"
            rf"|combinar"
            rf"|ter) (un |una |uma |een |ein |einen |eine |le |la )?(petit |breve |kort |kurzes |kurzen )?{_CALL}",
            r"(calendar|calendly|booking|meeting) link",
            r"(send|share) (me |us )?(an? )?(calendar )?(invite|invitation)",
            r"(what|which) (time|times|day|days|slot|slots) (works|work|suit|would work|are you)",
            r"when (are|would|could|can) (you|we)",
            r"(are|would|will) you (be )?(free|available)",
            r"let'?s (talk|chat|meet|speak|connect|reconnect|catch up|touch base|set|schedule|find|get)",
            r"(give|ring) (me|us) a (call|ring)",
            r"call me\b",
            r"(suit|suits|work for|works for|convenient for|good for|ok for) you\b",
            rf"\d{{1,2}}([:.]\d\d)? ?(am|pm|uhr|h|hrs)\b.{{0,30}}{_WEEKDAY}",
            rf"{_WEEKDAY}.{{0,30}}\b\d{{1,2}}([:.]\d\d)? ?(am|pm|uhr|h|hrs)\b",
            r"(ver|voir|vedere|sehen|zien|see|book|get|agendar|prenotare|buchen|reserver)\w* (uma |una |une |a |an "
            r"|eine "
            r"|een |ein |un |la |il |o )?(demo|demonstra|demostra|dimostra|vorfuhrung)",
            r"(your|ihre|votre|vos|su|sus|sua|uw|tua|vostra|je) (availability|verfugbarkeit|disponibilit\w*"
            r"|beschikbaarheid)",
            rf"(open|offen|ouvert|abierto|aperto|open|aberto)\w* (to|for|fur|a|voor|para|per) (a |an |ein |un |una "
            rf"|een |uma )?"
            rf"(\w+ )?{_CALL}",
            r"(present|demo|show|walk) (it |this |us |me )?(to |through )?(us|me|our team|the team|our)\b",
            rf"\b(disponible|disponibile|available|free|verfugbar|beschikbaar|disponivel|zeit) (pour|per|for|fur|voor"
            rf"|para)"
            rf" (un |una |a |an |ein |einen |eine |een |uma |le |la |el |il |o )?(\w+ )?{_CALL}",
            rf"(propose|suggest|schlage|propongo|proponho|stel|proponiamo|proponemos|proposons) .{{0,40}}({_CALL}"
            rf"|{_WEEKDAY})",
            r"calendly",
            r"(my|your|our) (calendar|agenda)\b",
            r"(book|put|add|pop|throw) (something|a time|a slot|it|a call|a meeting|some time) (in|into|on)",
            r"(meet\.google|teams\.microsoft|zoom\.us|cal\.com|hubspot\.com/meetings)",
            r"pick (any|a) (slot|time)",
            r"(book|grab) (a )?(time|slot)",
            r"(could|can|would) you do\b",
            r"(i'm|i am) (around|free|available)",
            rf"{_CALL} .{{0,20}}{_WEEKDAY}",
            r"facciamo (una|un) ",
            r"(happy|glad|keen|open|available) to (talk|chat|meet|speak|connect|jump|hop)",
            r"(can|could|shall|should) we (talk|speak|meet|chat|have|do|set|schedule|arrange)",
            r"(we|i) (could|can|should|might|may) (talk|speak|meet|chat|catch up|connect|reconnect|have a call)",
            r"(send|envoy|envi|mand|schick|stuur|invia|manda|sende)\w*\b.{0,25}\b(invite|invitation|einladung"
            r"|invitacion"
            r"|invito|uitnodiging|convite|calendar invite|kalendereinladung)",
            rf"(free|available|works for me|suits me|good for me|libre|disponible|disponibile|frei|vrij|beschikbaar"
            rf"|livre|disponivel|zeit) .{{0,20}}{_WEEKDAY}",
            rf"{_WEEKDAY} .{{0,25}}(at|um|a|alle|om|as|vers|ab|nach|\d)\s?\d",
            rf"{_WEEKDAY} (works|would work|is fine|ok|afternoon|morning)",
            rf"(\d{{1,2}}(st|nd|rd|th|\.|er|o)? (of |de |di )?{_MONTH}|{_MONTH} \d{{1,2}}(st|nd|rd|th)?"
            rf"|the \d{{1,2}}(st|nd|rd|th))\b.{{0,30}}\b(\d{{1,2}}([:.]\d\d)? ?(am|pm|uhr|h|hrs|u|uur)\b|anytime"
            rf"|any time)",
            rf"(could|can) do (the \d{{1,2}}(st|nd|rd|th)|{_WEEKDAY}|anytime|any time|either)",
            r"(anytime|any time) (after|before|from|between) \d",
            r"(per|via|sur|por|su|op|em|uber) (ms )?(teams|zoom|google meet|skype|webex)\b",
            r"(see|get|book|want|like|love) a demo",
            r"(rufen sie|ruf|rufen) (mich|uns) .{0,30}an\b",
            r"(konnen|konnten|sollen|sollten|wollen) wir .{0,40}"
            r"(telefonieren|sprechen|treffen|austauschen|unterhalten)",
            r"lassen sie uns .{0,30}(telefonieren|sprechen|treffen|austauschen)",
            r"(haben|hatten) sie .{0,30}zeit",
            r"wann (haben|hatten|passt|ware|konnen)",
            r"(termin|gesprach|telefonat)vorschlag",
            r"(appelez|appelle|rappelez)[- ](moi|nous)",
            r"(pouvons|pourrions|peut|pourrait)[- ]?(nous|on)? .{0,30}(parler|echanger|appeler|rencontrer|voir|caler)",
            r"(etes|seriez|serez)[- ]vous (libre|disponible)",
            r"vos disponibilites",
            r"un creneau",
            r"quand (etes|seriez|pouvez)",
            r"(llamame|llameme|llamenos|llamadme)",
            r"llam(a|e|en|ad)(me|nos)\b",
            r"(pode|podem|podes) (me )?ligar",
            r"melden sie sich .{0,40}(telefonisch|bei mir)",
            r"telefonisch (bei|erreichbar|melden|besprechen)",
            r"(podemos|podriamos|pueden|podria) .{0,30}(hablar|llamar|reunir|vernos|conversar|agendar)",
            r"(esta|estaria|estas|estarias) (disponible|libre)",
            r"(que|cual) (dia|hora|horario)",
            r"hablemos",
            r"(chiamatemi|mi chiami|chiamami|mi chiamate)",
            r"(possiamo|potremmo|potrebbe) .{0,30}(sentirci|parlarne|parlare|vederci|incontrarci|chiamarci|fissare)",
            r"(e|sarebbe|sei|saresti) disponibil",
            r"sentiamoci",
            r"(quando|che giorno|che ora) (e|sei|sarebbe|possiamo)",
            r"bel (me|mij|ons)",
            r"(kunnen|zullen|kunnen) we .{0,30}(bellen|spreken|afspreken|praten|inplannen|plannen|maken|doen)",
            r"(bent u|ben je|is het) .{0,20}beschikbaar",
            r"wanneer (heeft u|heb je|past|kunnen)",
            r"(ligue|liga|ligar)[- ]?(me|nos)",
            r"me (ligue|liga)",
            r"(podemos|poderiamos|podia|poderia) .{0,30}(falar|conversar|reunir|marcar)",
            r"(esta|estaria) disponivel",
            r"(quando|que dia|que horas) (esta|estaria|podemos|pode)",
        ),
    ),
    _positive(
        "meeting_request",
        "day proposed",
        0.65,
        rf"{_WEEKDAY}.{{0,60}}\?",
        rf"(\d{{1,2}}(st|nd|rd|th|\.|er|o)? (of |de |di )?{_MONTH}|{_MONTH} \d{{1,2}}(st|nd|rd|th)?)\b.{{0,40}}\?",
    ),
    _rule(
        "not_interested",
        "too busy",
        0.65,
        r"too (busy|hectic|swamped)",
        r"(zu|trop|demasiado|troppo|te|muito) (beschaftigt|viel|occupe|ocupad|impegnat"
        r"|druk|charge|cargad)",
    ),
    # interested
    _rule(
        "interested",
        "interested",
        0.8,
        r"interess",
        r"interes(ad|an|a\b)",
        r"interest(ed|ing)",
        r"geinteresseerd",
        r"belangstelling",
        negatable=True,
    ),
    _positive(
        "interested",
        "sounds good",
        0.78,
        *(
            r"sounds? (good|great|interesting|promising|useful|cool|fine)",
            r"(could|might|would|may) be (useful|interesting|helpful|worth)",
            r"tell (me|us) more",
            r"sounds? like (something|a good|an interesting|a great|it could|it might)",
            r"(should|will|might|could|would|want to|like to) (take a )?(look|closer look) (at|into)",
            r"\bspannend\b",
            r"leuk aanbod",
            r"(curious|curiosidade|curioso|curiosa|curieux|curieuse|neugierig|nieuwsgierig|benieuwd|incuriosi|intrigu)",
            r"what (would|does|will) it take",
            r"(would|'d|will|could) (definitely |certainly |seriously |happily )?consider",
            r"(in betracht|envisager|considerar|prendere in considerazione|overwegen)",
            r"how (do|can|would|should) we (get started|start|proceed|sign up|begin)",
            r"(saber|conocer|savoir|sapere|conoscere|wissen|erfahren|weten|horen|ouvir|en apprendre) (mas|plus|di piu"
            r"|mehr"
            r"|meer|mais)\b",
            r"(offen dafur|offen fur|open to it|open to this|ouverts?|abiertos? a|aperti a|staan (er )?open"
            r"|abertos? a)",
            r"(zukommen lassen|toekomen|faire parvenir|hacer llegar|far avere|fazer chegar)",
            # verb last: "ein Angebot ... schicken?", "een offerte sturen"
            r"(offerte|angebot|preisliste|presupuesto|devis|proposta|propuesta|proposition|proposal|quote|dossier"
            r"|brochure|unterlagen|informationen|infos|informatie|documentatie|presentatie|prijzen|preise)\b.{0,40}"
            r"\b(schick|send|zusend|zukommen|ubersend|sturen|toesturen|opsturen|mailen)\w*",
            r"(send|shoot|pop|fire|flick) (it |them |something |some |more |info |details |stuff )?(over|across"
            r"|through)\b",
            r"what (you've|you have|you) got\b",
            r"go on then",
            r"(je veux bien|ich hatte gerne?|me gustaria recibir|mi farebbe piacere|ik zou graag|eu gostava de)",
            r"(enviar|mandar)(me|nos)\b",
            r"(kunt|kan|wilt|zou) u .{0,30}(sturen|mailen|toesturen|opsturen)",
            r"(send|sturen|stuur|schick|senden|zusend|ubersend|envo|envi|mand|invi|ontvang|receb|recib|ricev|recev|erhalt"
            r"|toestur|mailen|share)\w*\b.{0,40}\b(offerte|preventivo|presupuesto|devis|angebot|orcamento|proposta"
            r"|propuesta|proposition|proposal|quote|dossier|dosier|brochure|catalogo|plaquette|documentation|unterlagen"
            r"|presentacion|presentation|prasentation|presentazione|presentatie|apresentacao"
            r"|preise|prices|pricing|tarifs|precios|prezzi|precos|prijzen|cotizacion)",
            r"(i'm|i am|we're|we are) (listening|all ears|open to (it|this|hearing|learning|the idea))",
            r"open to (hearing|learning|the idea|exploring)",
            r"(can|could|would) you (please )?(share|send|forward|email|e-mail)",
            r"(one-pager|overview|presentation|case stud|examples|demo video|brochure|deck)\b",
            r"(send|email|mail|forward) (me|us|over) (a |an |the |your |some )?"
            r"(pdf|one-pager|overview|info|details|more|something|whatever|what you have)",
            r"(learn|hear|know|find out) more",
            r"(send|share|forward) (me |us )?(some |more |further |the |your |a |an )?"
            r"(info|information|details|brochure|pricing|prices|deck|proposal|offer|quote|case stud"
            r"|material|documentation)",
            r"(i'd|we'd|i would|we would) (like|love|be keen) to (try|test|see|learn|know|give)",
            r"(keen|curious) to",
            r"let'?s (do it|give it a try|try)",
            r"go ahead",
            r"count (me|us) in",
            r"sign (me|us) up",
            r"(try|test|start|begin|get|sign up for|interested in) (a |the |your )?(free )?trial",
            r"worth (a look|exploring|a try)",
            r"(been )?looking for (something like this|a solution like|exactly this)",
            r"exactly what we",
            r"(klingt|hort sich) .{0,10}(gut|interessant|spannend|vielversprechend)",
            r"\bgerne?\b",
            r"mehr (infos|informationen|details|erfahren|dazu)",
            r"(schicken|senden|zusenden|ubersenden) sie (mir|uns)",
            r"(unterlagen|angebot|preisliste|informationen) (zu|zusenden|schicken)",
            r"(ca|cela) (m|nous) interesse",
            r"(a l'air|semble|parait) (interessant|bien|utile|prometteur)",
            r"volontiers",
            r"avec plaisir",
            r"en savoir plus",
            r"dites[- ]m'en plus",
            r"(envoyez|envoyer|transmettez)[- ]?(moi|nous)?",
            r"j'aimerais (en savoir|voir|tester|essayer|recevoir)",
            r"(suena|parece) (bien|interesante|genial|util)",
            r"(me|nos) (gustaria|encantaria) (saber|conocer|probar|recibir|ver)",
            r"(envie|envieme|envienos|mandeme|enviame|mandame|envien|enviadme)",
            r"mas (informacion|detalles|info)",
            r"con gusto",
            r"(mi|ci) (sembra|pare|sembrano) (interessant|utile|valid)",
            r"volentieri",
            r"piu (informazioni|dettagli|info)",
            r"(mandatemi|inviatemi|mandami|inviami|mi mandi|mi invii|mi inviate|mi mandate)",
            r"(vorrei|vorremmo) (sapere|capire|provare|ricevere|vedere)",
            r"klinkt (goed|interessant|prima|leuk)",
            r"\bgraag\b",
            r"meer (informatie|info|weten|details)",
            r"(stuur|stuurt|stuurt u) (mij|me|ons)",
            r"(parece|soa) (interessante|bom|otimo|util)",
            r"(gostaria|gostariamos) de (saber|conhecer|experimentar|receber|ver)",
            r"mais (informacoes|informacao|detalhes|info)",
            r"(envie|enviem|mande|mandem|envia|manda)[- ](me|nos)",
            r"com (certeza|prazer)",
            r"(why|warum|pourquoi|por_que|perche|waarom)_(not|nicht|pas|no|niet|nao)",
        ),
    ),
    _rule(
        "interested",
        "yes",
        0.6,
        r"^(yes|yeah|yep|yup|sure|absolutely|definitely|ok(ay)?,? (sure|sounds|let)|of course"
        r"|ja|jawohl|klar|oui|bien sur|si(?=\s*,|\s*$)|claro|por supuesto|certo|certamente|ja hoor|zeker|prima|sim"
        r"|perfeito|perfect|great)\b",
        negatable=True,
    ),
    # question
    _rule(
        "question",
        "question phrase",
        0.72,
        *(
            r"^(how|what|which|who|where|why|when|does|do|is|are|can|could|would|will)\b.{0,150}\?",
            r"how (much|many|long|does|do|is|are)",
            r"what (is|are|does|do|would|will) (the |your )?(price|cost|pricing|fee|difference)",
            r"(price|pricing|cost|costs|fee|fees|rate|rates)\b.{0,60}\?",
            r"do you (support|integrate|offer|have|work|provide)",
            r"(where|how) did you (get|find)",
            r"who (are you|is this|gave you)",
            r"(wie|was|wo|wer|warum|welche[rs]?|gibt es|kann|konnen|ist|sind|unterstutzt|funktioniert)\b.{0,150}\?",
            r"wie (viel|teuer|lange|funktioniert)",
            r"was kostet",
            r"woher haben sie",
            r"(combien|comment|quel|quelle|quels|quelles|est-ce que|ou|qui|pourquoi)\b.{0,150}\?",
            r"combien (coute|ca coute|de)",
            r"(cuanto|como|cual|cuales|que|donde|quien|por que|hay)\b.{0,150}\?",
            r"cuanto (cuesta|vale|cobran)",
            r"de donde (sacaron|tienen)",
            r"(quanto|come|quale|quali|che|dove|chi|perche|c'e)\b.{0,150}\?",
            r"quanto costa",
            r"(wat|hoe|welke|waar|wie|waarom|werkt|is|zijn|kan|kunnen)\b.{0,150}\?",
            r"wat kost",
            r"hoe (werkt|veel|lang)",
            r"(quanto|como|qual|quais|onde|quem|porque|por_que|existe)\b.{0,150}\?",
            r"quanto custa",
        ),
    ),
    Rule("question", "question mark", re.compile(r"\?"), 0.55),
    # referral
    _rule(
        "referral",
        "not the right person",
        0.88,
        *(
            r"(not|\w+n't) (the )?(right|correct|best|appropriate|relevant) (person|contact|people)",
            r"wrong (person|contact)",
            r"(better|right) (person|contact) (to|for|would|is)",
            r"(no longer|not) (work|working|employed) (here|at|for|with)",
            r"ya no (trabajo|estoy|formo parte)",
            r"nicht mehr (im|bei|fur|in) ",
            r"(ne|n') ?(travaille|suis) plus",
            r"non (lavoro|sono) piu",
            r"(werk|ben) (niet meer|hier niet meer)",
            r"(ja )?nao (trabalho|estou) mais",
            r"(left|has left|have left) (the company|the hotel|us)",
            r"(moved|transferred|switched) to (another|a different|a new|a sister) (hotel|property|company|role|job"
            r"|position|group)",
            r"(mi sono|sono stat[oa]|si e) (appena )?(trasferit|spostat)[oa]|(me he|se ha) (ido|cambiado|trasladado)"
            r"|(je suis|j'ai ete|il est|elle est) (parti|partie|mute|mutee)|(ich bin|er ist|sie ist) .{0,20}gewechselt"
            r"|ik werk (nu )?(bij|voor) een ander|(mudei|fui transferid[oa]|saiu|sai) (para|da|do)",
            r"nicht (der|die) richtige",
            r"nicht (mehr )?zustandig",
            r"(ist|sind|ware) (dafur |hierfur )?zustandig",
            r"(zustandig|verantwortlich) (ist|sind|dafur|fur)",
            r"pas (la|le) (bonne|bon) (personne|interlocuteur|contact)",
            r"(s'occupe|est en charge|est responsable|gere) (de|des|du|ce|cela|ces)",
            r"no soy la persona",
            r"(se encarga|es (el|la) responsable|lleva) (de|este|esto)",
            r"(de esto|de eso|de este tema|de ello) se (encarga|ocupa)",
            r"se (encarga|ocupa) (mi|nuestr[oa]|el|la) ",
            r"se ne occupa",
            r"(c'est|cest) .{0,40}qui (s'occupe|gere|suit)",
            r"(s'en occupe|s'en charge|kummert sich (darum|um))",
            r"quem (cuida|trata|decide) (disso|deste|desse|destes|dessas|disto)",
            r"(handles|looks after|takes care of|is in charge of|is responsible for|deals with|manages) (this|that"
            r"|these|our|marketing|sales|revenue|distribution|partnerships|online|bookings|e-?commerce)\b",
            r"non sono (la persona|il referente)",
            r"(si occupa|e (il|la) responsabile|segue) (di|della|del|questo|queste)",
            r"niet de (juiste|goede) (persoon|contactpersoon)",
            r"(is|gaat) (hier)?over\b",
            r"verantwoordelijk voor",
            r"nao sou a pessoa",
            r"(cuida|e (o|a) responsavel|trata) (d|disso|deste)",
        ),
    ),
    _rule(
        "referral",
        "the one to talk to",
        0.8,
        r"(deve|dovrebbe|devi) (sentire|parlare con|contattare|scrivere a)",
        r"(you need to|you should|you'll need to|you will need to|you'd need to)"
        r" (talk|speak|contact|write|reach|email|ask)",
        r"(mussen|sollten|mochten) sie sich (bitte )?an",
        r"vous (devez|devriez) (contacter|voir avec|ecrire a|parler a)",
        r"(tiene que|debe|deberia|tendra que) (hablar con|contactar|escribir a)",
        r"(moet|kunt) u (contact opnemen|bij)",
        r"(precisa de|tem de|tem que|deve) (falar com|contactar|contatar|escrever)",
        r"(the one|the person|the people|best person) to (talk|speak|write|reach out|contact)",
        r"(makes|take|takes|make) (these|those|the|such) decisions",
        r"(who|quem|wer|qui|quien|chi|wie) (decide|decides|entscheidet|decide|beslist)",
        r"(en|em|in) (copia|copie|kopie|copy)\b",
        r"(parlare|parli|sentire) con",
        r"(loopt|gaat) (via|through)",
        r"(hablar|hable|habla) con",
        r"(talk|speak) (to|with) (him|her|them)",
        r"(sprechen sie|sprich) (mit|bitte mit)",
        r"(parlez|parler|voyez|voir) avec",
    ),
    _rule(
        "referral",
        "contact someone else",
        0.82,
        *(
            r"(contact|reach out to|get in touch with|speak to|speak with|talk to|write to|e-?mail|email|try|ask"
            r"|forward (this|it) to) (my|our|the) (colleague|manager|boss|director|ceo|head|team|department|gm"
            r"|general manager|owner|partner|office)",
            r"(forward|pass|send|share|hand)\w* (this|your (email|message|note|mail|request)|it) (on |over )?(to|along)"
            r" (the |our |my )?(right|relevant|responsible|appropriate|correct|colleague|manager|owner|director|team"
            r"|department|person|people|boss|gm|head)",
            r"decision[- ]?makers?",
            r"(head office|headquarters|hq|corporate|our group|zentrale|konzern|siege|maison mere|sede central"
            r"|casa madre"
            r"|hoofdkantoor|sede)\b.{0,30}\b(handles|decides|takes care|responsible|manages|entscheidet|zustandig|gere"
            r"|decide|decidono|beslist|se encarga|si occupa|trata)",
            r"(forwarded|passed|sent|shared|forwarding|passing) (this|your (email|message|note|mail)|it)"
            r" (on )?(to|along)",
            r"(forwarded|forwarding|passed|passing|sent|sending|handed|handing) (this |it |your \w+ )?(on |over )?to"
            r" (my|our|the|his|her|their) ",
            r"(cc'?d|cc'?ing|copied in|copying in|looping in|i've added|added in cc)",
            r"(copied|copying|looped|looping|added|cc'?d) (him|her|them)\b",
            r"(the person|the one|who) you (want|need|should (talk|speak) to|are looking for)",
            r"(colleague|colleagues) ([a-z]+ ){0,2}(is|are|handles|will)",
            r"(wenden|melden) sie sich (bitte )?(an|bei)",
            r"(kollege|kollegin|kollegen) .{0,40}(weiter|zustandig|kontakt|schreiben|melden|an)",
            r"(weitergeleitet|leite .{0,80}weiter|weiterleiten)",
            r"ansprechpartner(in)? (ist|ware|fur|hierfur)",
            r"(in|ins) cc",
            r"(contactez|contacter|adressez-vous|ecrivez|ecrire) (a|au|plutot|notre|ma|mon)",
            r"(transfere|transmis|transmets|transmettre)",
            r"(contacte|contactar|contactes|contacten|escriba|escribe|escribir|dirijase|dirigirse) (con|a) ",
            r"(reenviado|reenvie|he pasado|remitido|reenviare)",
            r"(contatti|contattare|contatta|contattate)\b",
            r"(scriva|scrivere|rivolgersi|si rivolga|rivolgetevi|rivolgiti) (a|al|alla|allo|ai|alle)\b",
            r"(inoltrato|inoltrata|girato|girata|inoltro)",
            r"contact (op )?met",
            r"doorgestuurd",
            r"(doorsturen|doorgestuurd|doorgezet)",
            r"(entre em contato|contacte|fale|falar) com",
            r"(encaminhei|reencaminhei|encaminhado|encaminhada|encaminhar)",
        ),
    ),
)
