"""The verdict on one failed recipient: hard (the address does not exist or is disabled), soft (full, temporary,
delayed, the receiving host's own trouble) or policy (the sender's problem). Pure.

It reads the RFC 3463 enhanced status, the SMTP reply code and the diagnostic text together, with the phrasings
the common MTAs and providers use; when unsure it says soft, because a wrong hard suppresses a good address for ever.
"""

from __future__ import annotations

import re
from typing import Literal

Verdict = Literal["hard", "soft", "policy"]

_STATUS = re.compile(r"(?<![\w.])([245])\.([0-7])\.(\d{1,3})(?!\.?\d)")
_CODE_LEAD = re.compile(r"^\W*(?:smtp\s*;\s*|x-[\w-]+\s*;\s*)?([245][0-5]\d)(?![\d.])")
_CODE_AFTER = re.compile(
    r"(?:said|returned|reply|replied|response|error|smtp|<<<|code|failed)\W{0,6}([245][0-5]\d)(?![\d.])", re.I
)
_CODE_LINE = re.compile(r"^\W{0,4}([245][0-5]\d)(?:[ -]|$)", re.M)
_CODE_BEFORE_STATUS = re.compile(r"(?<![\d.])([245][0-5]\d)[ -]#?[245]\.[0-7]\.\d")

_GREYLIST = re.compile(r"grey-?list|gray-?list|greylisted", re.I)
# The sender's problem, whatever the status says: block lists, reputation, authentication, rate, our envelope sender,
# our connection, our content. Checked before the recipient is blamed.
STRONG_POLICY = re.compile(
    r"spam|junk mail|black-?list|block-?list|deny-?list|blocked using|(?<!not )listed (?:at|on|in|by) |spamhaus"
    r"|spamcop|barracuda|sorbs|\bs?urbl\b|\brbl\b|dnsbl|reputation|dmarc|\bdkim\b|\bspf\b|unauthenticated"
    r"|authenticat|sending quota|sending limit|sending rate|rate limit|rate-limit|ratelimit|rate of|unusual rate"
    r"|throttl|too many (?:messages|connections|recipients|emails|mails|concurrent|sessions)"
    r"|exceeded the (?:rate|limit)"
    r"|banned|sender (?:address |domain )?(?:is )?(?:rejected|denied|blocked|verify|verification|unknown|invalid|"
    r"refused|unroute?able|not recogni[sz]ed)|unroute?able sender|sender.{0,20}not (?:allowed|authori[sz]ed|permitted)"
    r"|after mail from|in reply to mail from|\brelay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)"
    r"|unable to relay|relay not permitted|not permitted to relay|relaying|rcpthosts|reverse dns|\bptr\b|rdns"
    r"|helo command rejected|helo.{0,20}(?:rejected|invalid|denied)|my name was rejected|client host.{0,30}rejected"
    r"|may not be mail exchanger|ip name lookup|mismatches client ip|invalid ip|\bvirus|malware|phishing|suspicious"
    r"|unsolicited|bulk mail|content filter|sending ip|your ip|ip address (?:is )?(?:blocked|listed|banned)"
    r"|weren't sent|were not sent|service refus|(?:mail|message) size|size limit exceeded"
    r"|message (?:is )?too (?:large|big)"
    r"|file too (?:large|big)|message length exceeds|refused to talk to me|exceeds (?:the )?(?:maximum|max)"
    r"|complaints|valid from|line (?:limit|length) exceeded|line too long|lines? longer than"
    r"|from:? domain|protocol violation|improper sequence|sequence of commands|command parameter not implemented"
    r"|command unrecogni[sz]ed|command not recogni[sz]ed|unrecogni[sz]ed command|syntax error,? command"
    r"|syntax error in parameters|quarantin",
    re.I,
)
WEAK_POLICY = re.compile(
    r"polic|blocked|denied|not allowed|not permitted|prohibited|refused|not authori[sz]ed|forbidden|rejected by|"
    r"restricted|security|message rejected|mail rejected|administrative|permission|message filtered|filtered by",
    re.I,
)
FULL = re.compile(
    r"mailbox (?:is )?full|mailbox.{0,20}(?:quota|size limit|storage|space)|(?<!sending )quota|over ?quota"
    r"|inbox is full"
    r"|(?:insufficient|out of|exceeded?) (?:disk |storage )?(?:space|storage)|storage (?:space|limit|allocation)"
    r"|full mailbox|mailbox.{0,10}exceed|postfach (?:ist )?voll|speicherplatz|bo[iî]te.{0,20}pleine"
    r"|buz[oó]n (?:est[aá] )?lleno|casella.{0,20}piena|mailbox vol|caixa.{0,20}cheia|\bfull\b.{0,20}mailbox",
    re.I,
)
_RECIPIENT_RATE = re.compile(r"receiving mail (?:at a rate|too quickly)|rate that prevents", re.I)
_SENDER_QUOTA = re.compile(r"sending quota|sending limit|user sending|daily (?:user )?(?:sending )?quota", re.I)
# The address does not exist or is disabled. Specific: a generic "address rejected" or "mailbox unavailable" alone
# does not say so when the server also speaks of policy.
HARD = re.compile(
    r"user unknown|unknown user|unknown (?:local[- ]part|recipient|address|mailbox|alias|or illegal alias)|no such"
    r" (?:user|mailbox|recipient|address|account|person|local user)|(?:does not|doesn't|did not|didn't) exist"
    r"|not exist|non-?existent|mailbox not (?:found|available)|(?:recipient|user|address|mailbox|account|userid)"
    r" (?:was )?not found|recip(?:ient)?notfound|not (?:a )?(?:valid|known|registered) (?:recipient|user|mailbox|"
    r"address)|invalid (?:recipient|mailbox|address|user|final delivery userid|userid)|unroute?able address"
    r"|no mailbox|(?:doesn't|does not|don't) have an? .{0,40}account|account (?:has been |is )?(?:disabled|closed"
    r"|deactivated|terminated|discontinued|deleted|suspended|expired|inactive)|mailbox (?:has been |is )?(?:disabled"
    r"|closed|deactivated|inactive|deleted|removed)|(?:disabled|inactive|deactivated) (?:account|mailbox|user"
    r"|recipient)|no longer (?:active|valid|exists|available|in use)|address (?:couldn't|could not|can't|cannot)"
    r" be found|wasn't found|was not found|not listed in|not recogni[sz]ed|recipient (?:name )?is not recogni"
    r"|(?:user|recipient|mailbox|address|account|person|addressee) (?:has|have) moved|no longer (?:works|with)"
    r"|unknown recipient|recipient unknown|no valid recipient"
    r"|benutzer.{0,20}unbekannt|unbekannte?r? (?:benutzer|empfänger)|existiert nicht|gibt es nicht"
    r"|utilisateur inconnu|destinataire inconnu|adresse (?:inconnue|introuvable)|n'existe pas|usuario desconocido"
    r"|destinatario desconocido|no existe|utente (?:sconosciuto|inesistente)|non esiste|inesistente"
    r"|onbekende (?:gebruiker|ontvanger)|bestaat niet|usu[aá]rio desconhecido|n[aã]o existe|inexistente",
    re.I,
)
_GENERIC_HARD = re.compile(r"mailbox unavailable|address rejected", re.I)
# The recipient's domain does not take mail at all: hard once the report says delivery failed for good.
DOMAIN_GONE = re.compile(
    r"host (?:or domain name )?not found|domain (?:name )?not found|no such domain|domain (?:does not|doesn't)"
    r" exist|nxdomain|host unknown|unknown host|no mx record|couldn't find a mail exchanger|unrouteable domain"
    r"|invalid domain|domain is not reachable|host [\w-]+(?:\.[\w-]+)+ not found|illegal host/domain",
    re.I,
)
_NULL_MX = re.compile(
    r"null mx|doesn't receive e-?mail|does not receive e-?mail|no smtp service|does not accept mail", re.I
)
_AMBIGUOUS = re.compile(r"may not exist|might not exist|may not have permission|n'existe pas ou", re.I)
_SYSTEM = re.compile(r"system error|internal error|not accepting network|mailer error|on hold|local error", re.I)
_TEMPORARY = re.compile(
    r"temporar|(?:try|retry|again) (?:again )?later|try again in|deferred|timed? ?out|time-?out|will (?:be )?retr"
    r"|on hold|not found, try again",
    re.I,
)
# A local delivery agent's failure on the receiving host ("procmail: Couldn't create ...").
_LOCAL_AGENT = re.compile(
    r"\b(?:procmail|maildrop|mail\.local|deliver|dovecot-lda|cyrus)\b.{0,40}"
    r"(?:couldn't|can't|cannot|unable to) (?:create|open|write|lock)",
    re.I,
)
BARE_REJECT = re.compile(r"^\W*(?:[245]\d\d[ -]+)?(?:#?[245]\.\d\.\d{1,3}[ -]+)?(?:mail |message )?rejected\W*$", re.I)
# The plainest "the user does not exist": enough to call hard even under a generic 5.7.x security status.
_UNKNOWN_USER = re.compile(r"user unknown|unknown user|no such user|invalid recipient", re.I)
_HARD_STATUSES = {"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.2.1", "5.7.13"}
_SENDER_STATUSES = {"5.1.7", "5.1.8", "5.2.3", "5.3.4", "5.5.4", "5.7.27"}
_DBEB = re.compile(r"recipient address rejected|access denied", re.I)


def find_status(text: str) -> str | None:
    """The first RFC 3463 enhanced status code in `text` ("5.1.1"), not a piece of an IP address or version."""
    match = _STATUS.search(text)
    return f"{match.group(1)}.{match.group(2)}.{int(match.group(3))}" if match else None


def find_code(text: str) -> int | None:
    """The SMTP reply code in a diagnostic: at its start, before an enhanced status, or after "said:" and the like."""
    for pattern in (_CODE_LEAD, _CODE_BEFORE_STATUS, _CODE_AFTER, _CODE_LINE):
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def verdict_for(status: str | None, code: int | None, diagnostic: str, action: str | None = None) -> Verdict:
    """Hard (the address does not exist or is disabled), soft (full, temporary, delayed) or policy (the sender's
    problem: 5.7.x, reputation, authentication, rate, content). Prefers soft over hard when the evidence is thin.

    `action` "failed" without any code counts as permanent (RFC 3464: failed means no further attempts)."""
    text = diagnostic or ""
    klass = status[0] if status else (str(code)[0] if code else None)
    if klass is None and action == "failed":
        klass = "5"
    temporary = bool(_TEMPORARY.search(text))
    if _LOCAL_AGENT.search(text) and not FULL.search(text):
        return "soft"  # the receiving host's own delivery agent failed (its configuration, not the address)
    if BARE_REJECT.match(text):
        return "policy"  # a refusal that gives no reason is not a proof the address is gone
    if status in _HARD_STATUSES and status.startswith("5.7") and not temporary:
        return "hard"  # 5.7.13: user account disabled
    if status and status.split(".")[1] == "7":
        if status.startswith("5.") and _UNKNOWN_USER.search(text) and not (temporary or STRONG_POLICY.search(text)):
            return "hard"  # a filter's 5.7.1 that names the reason: the user is unknown
        return "soft" if _GREYLIST.search(text) else "policy"
    if any(s == "7" and f"{k}.{s}.{int(d)}" != "5.7.13" for k, s, d in _STATUS.findall(text)):
        return "policy"  # the server's own words carry a security/policy status under the reporter's generic one
    if _SENDER_QUOTA.search(text):
        return "policy"
    if _RECIPIENT_RATE.search(text):
        return "soft"  # Gmail's 5.2.1/4.2.1: the mailbox receives too much right now
    if (status and status.endswith(".2.2")) or FULL.search(text):
        return "soft"
    if action == "failed" and klass != "4" and _NULL_MX.search(text) and not STRONG_POLICY.search(text):
        return "hard"  # RFC 7505: the domain says it takes no mail, unless the reporter itself calls it transient
    if klass == "4" or action == "delayed" or _GREYLIST.search(text):
        return "policy" if STRONG_POLICY.search(text) and not _GREYLIST.search(text) else "soft"
    if STRONG_POLICY.search(text) or status in _SENDER_STATUSES or (status or "").startswith("5.6."):
        return "policy"
    hard_phrase = bool(HARD.search(text)) and not _AMBIGUOUS.search(text)
    if status in _HARD_STATUSES or (status == "5.4.1" and _DBEB.search(text)):
        if temporary and not hard_phrase:
            return "soft"
        return "policy" if WEAK_POLICY.search(text) and not (hard_phrase or _GENERIC_HARD.search(text)) else "hard"
    if klass == "5" and DOMAIN_GONE.search(text) and not temporary:
        return "hard"
    if klass == "5" and hard_phrase and not temporary:
        return "hard"
    if _SYSTEM.search(text):
        return "soft"
    if WEAK_POLICY.search(text):
        return "policy"
    if klass == "5" and _GENERIC_HARD.search(text) and not temporary:
        return "hard"
    return "soft"
