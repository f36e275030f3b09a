"""The evening sentence of gratitude: relationships, gentle hints, a quiet suggestion of whom
to thank, and the ``mailto:`` link that sends it.

Everything here is pure and local. The hints are small English heuristics, never a verdict:
they only ever suggest, and nothing in microapp refuses to save a sentence because of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from microapp.core.records import RecipientSummary

RELATIONSHIPS = ("friend", "partner", "colleague", "family", "neighbour", "other")
_RELATIONSHIP_ALIASES = {"neighbor": "neighbour"}
WEAK_TIES = frozenset({"colleague", "neighbour", "other"})
# How many extra quiet days a weak tie counts for when choosing whom to suggest: enough to
# tip a near-tie towards them, never enough to pass over someone much longer unthanked.
WEAK_TIE_BONUS_DAYS = 7

INVITE_LINE = ("P.S. Each evening I write one sentence like this to someone. "
               "You might enjoy trying it too.")


def parse_relationship(value: str | None) -> str | None:
    """The canonical relationship for ``value`` (any case, "neighbor" too); None for none.

    Raises ``ValueError`` naming the allowed values for anything else.
    """
    if value is None or not value.strip():
        return None
    key = value.strip().casefold()
    key = _RELATIONSHIP_ALIASES.get(key, key)
    if key not in RELATIONSHIPS:
        raise ValueError(f"unknown relationship {value.strip()!r}: use one of "
                         + ", ".join(RELATIONSHIPS))
    return key


# -- hints ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    key: str  # "specific" | "present" | "to_them"
    ok: bool
    message: str


SPECIFIC, PRESENT, TO_THEM = "specific", "present", "to_them"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_LATIN = re.compile(r"[A-Za-z]")

# Words that carry no detail: grammar, and the warm-but-vague words a sentence of thanks is
# made of when it could be said to anyone.
_STOP = _word_set("""
    a an the and or but nor so yet to of for in on at by with from into onto about as than then
    i me my mine myself we us our ours you your yours yourself you're you've you'll you'd i'm
    i've i'll i'd he him his she her hers they them their theirs it its it's we're they're
    that's this that these those there here what when where while who whom which how why
    is am are was were be been being do does did done have has had having will would can could
    shall should may might must not no very really just also too such even still only ever
    quite much many more most some any every each all own same other oh well
    thank thanks thanked thanking grateful gratitude appreciate appreciated appreciation dear
""")
_VAGUE = _word_set("""
    everything anything something nothing everyone always forever lot lots stuff thing things
    best great amazing awesome wonderful nice good kind sweet lovely special incredible
    fantastic brilliant cool perfect beautiful fabulous terrific super excellent generous
    help helping helpful support supporting supportive love loving care caring friend
    friendship person human presence being life
""")
_GENERIC = re.compile(
    r"\b(?:for|about)\s+(?:everything|all\s+(?:that\s+)?you\s+do|all\s+you\s+do)\b"
    r"|\bfor\s+being\s+(?:you|yourself|there|amazing|awesome|great|wonderful|the\s+best"
    r"|so\s+\w+|such\s+an?\s+\w+(?:\s+\w+)?)\b"
    r"|\b(?:everything|all)\s+(?:that\s+)?you\s+do\b"
    r"|\byou(?:['’]re|\s+are)\s+(?:the\s+best|amazing|awesome|great|wonderful|so\s+\w+)\W*$"
    r"|\bfor\s+all\s+(?:your|the)\s+(?:help|support|love|kindness)\b",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays")
# A time or a number anchors a sentence to a moment, but is no detail by itself: "thanks for
# helping yesterday" still does not say with what.
_TIME_WORDS = frozenset({"today", "tonight", "yesterday", "now", "lately", "recently"})
_CONCRETE = frozenset((*_WEEKDAYS, *_TIME_WORDS, "morning", "mornings", "evening", "evenings",
                       "lunch", "breakfast", "dinner", "weekend"))

# Past tense: irregular forms (ambiguous ones like "read", "put", "let" are left out) and
# regular "-ed" words, except the many "-ed" words that are not verbs in the past.
_IRREGULAR_PAST = _word_set("""
    was were had did made gave brought took came went said told thought bought taught sent
    spent left felt kept found got saw knew wrote drove ran ate held met paid stood understood
    sat won lost heard meant built caught fought lent slept spoke threw woke wore became began
    broke drew drank flew forgot forgave grew hid rode rang rose sang shook stole swam tore
    chose led fed fled bred sold lit dug hung swung stuck struck sought wept
    shone shot slid spun sprang stung swore swept
""")
_ED_NOT_PAST = _word_set("""
    need red bed shed shred sled wed embed hundred hundreds sacred naked wicked kindred
    beloved rugged ragged crooked jagged indeed proceed succeed exceed
""")
_EED_PAST = frozenset({"agreed", "freed", "guaranteed", "decreed", "refereed", "disagreed"})
# After these an "-ed" word is an adjective ("I feel supported", "I am so relieved").
_LINKING = _word_set("""
    am is are be being feel feels feeling seem seems look looks get gets stay stays so very
    really too quite more most i'm you're we're they're it's that's he's she's
""")
_PAST_TIME = re.compile(
    r"\b(?:yesterday|ago|last\s+(?:night|week|weekend|month|year|time|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)|the\s+other\s+day|earlier\s+today)\b",
    re.IGNORECASE,
)
_SUBJECTS = frozenset({"you", "i", "we", "they", "he", "she", "it"})
# After these an "-ed" word describes a noun ("your detailed notes"), it is no verb.
_DETERMINERS = frozenset({"a", "an", "the", "my", "your", "our", "his", "her", "their", "its",
                          "this", "that", "these", "those", "every", "each"})
_ADVERBS = frozenset({"always", "still", "often", "really", "just", "never", "usually",
                      "sometimes", "so", "somehow", "quietly", "also", "even", "every"})
_PRESENT_CONTRACTIONS = frozenset({"you're", "i'm", "we're", "they're", "it's", "that's",
                                   "he's", "she's"})
_NOT_VERBS = _STOP - {"is", "am", "are", "do", "does", "have", "has", "can", "will"}
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves", "you're",
                            "you've", "you'll", "you'd", "ya", "u", "ur"})
_THIRD_PERSON = frozenset({"she", "he", "they", "her", "him", "his", "hers", "them", "their",
                           "theirs", "she's", "he's", "they're"})

_MESSAGES = {
    (SPECIFIC, True): "Specific: they will recognise the very moment.",
    (SPECIFIC, False): "Could you name one thing they did? e.g. \"You stay after stand-up "
                       "to walk me through the deploy.\"",
    (PRESENT, True): "Present tense: it says what they keep doing.",
    (PRESENT, False): "Could it be in the present, as something they do? e.g. \"You make "
                      "the Monday meeting feel lighter.\"",
    (TO_THEM, True): "Spoken to them: it reads like a note they could receive.",
    (TO_THEM, False): "Could you say it to them, with \"you\"? e.g. \"You always save me "
                      "a seat.\"",
}


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text)]


def _is_specific(text: str, words: list[str], name_words: set[str]) -> bool:
    lowered = [w.casefold() for w in words]
    details = [w for w in lowered if len(w) >= 3 and w not in _STOP and w not in _VAGUE
               and w not in _TIME_WORDS and w not in name_words]
    concrete = any(w.isdigit() or w in _CONCRETE for w in lowered)
    if _GENERIC.search(text) and len(details) < 3:
        return False
    if concrete and details and len(words) >= 4:
        return True
    return len(words) >= 5 and len(details) >= 2


def _is_regular_past(word: str, original: str, first: bool) -> bool:
    if len(word) < 4 or not word.endswith("ed") or word in _ED_NOT_PAST:
        return False
    if word.endswith("eed") and word not in _EED_PAST:
        return False
    return first or not original[:1].isupper()  # "Ahmed", "Fred": names, not verbs


def _tense_counts(words: list[str], name_words: set[str]) -> tuple[int, int]:
    """(present-tense verbs after a subject, past-tense verbs) in ``words``."""
    lowered = [w.casefold() for w in words]
    past = present = 0
    for i, word in enumerate(lowered):
        before = lowered[i - 1] if i else ""
        regular = (word not in name_words and _is_regular_past(word, words[i], first=i == 0)
                   and before not in _LINKING and before not in _DETERMINERS)
        if word in _IRREGULAR_PAST or regular:
            past += 1
        if word in _PRESENT_CONTRACTIONS:
            present += 1
        elif word in _SUBJECTS and before not in ("thank",):
            j = i + 1
            while j < len(lowered) and lowered[j] in _ADVERBS:
                j += 1
            verb = lowered[j] if j < len(lowered) else ""
            if (verb and verb not in _NOT_VERBS and verb not in _SUBJECTS
                    and verb not in _IRREGULAR_PAST and not verb.endswith(("ed", "ing"))
                    and verb not in _THIRD_PERSON and verb not in _SECOND_PERSON):
                present += 1
    return present, past


def _is_present(text: str, words: list[str], name_words: set[str]) -> bool:
    present, past = _tense_counts(words, name_words)
    past += 1 if _PAST_TIME.search(text) else 0
    return past == 0 or present > past


def _name_words(recipient: str) -> set[str]:
    return {w.casefold() for w in _words(recipient)}


def _mentions_name(text: str, recipient: str) -> bool:
    folded = text.casefold()
    for part in _words(recipient):
        part = part.casefold()
        if any(ord(c) >= 0x2E80 for c in part):  # scripts written without spaces
            if part in folded:
                return True
        elif re.search(rf"(?<!\w){re.escape(part)}(?!\w)", folded):
            return True
    return False


def _is_to_them(text: str, words: list[str], recipient: str) -> bool:
    lowered = {w.casefold() for w in words}
    if lowered & _SECOND_PERSON:
        return True
    return _mentions_name(text, recipient) and not lowered & _THIRD_PERSON


def sentence_hints(text: str, recipient: str = "") -> list[Hint]:
    """Gentle hints on one sentence: is it specific, in the present tense, spoken to them?

    An empty sentence gets no hints, and neither does one with no Latin letters at all (the
    heuristics read English; better silent than wrong). Hints never block saving.
    """
    text = text.strip()
    if not text or not _LATIN.search(text):
        return []
    words, names = _words(text), _name_words(recipient)
    results = (
        (SPECIFIC, _is_specific(text, words, names)),
        (PRESENT, _is_present(text, words, names)),
        (TO_THEM, _is_to_them(text, words, recipient)),
    )
    return [Hint(key, ok, _MESSAGES[(key, ok)]) for key, ok in results]


# -- whom to thank ----------------------------------------------------------------------------


def suggest_recipient(recipients: Sequence[RecipientSummary], today: date, *,
                      quiet_days: int = 21) -> RecipientSummary | None:
    """Someone not thanked for at least ``quiet_days``, or None.

    The longest quiet comes first; weak ties (colleague, neighbour, other) count as a week
    quieter, because those small connections are the ones that fade without anyone noticing.
    Ties go to the one thanked more often, then by name, so the choice is stable.
    """
    def score(r: RecipientSummary) -> tuple[int, int, str, str]:
        quiet = (today - r.last_day).days
        bonus = WEAK_TIE_BONUS_DAYS if r.relationship in WEAK_TIES else 0
        return (-(quiet + bonus), -r.count, r.name.casefold(), r.name)

    quiet = [r for r in recipients if (today - r.last_day).days >= quiet_days]
    return min(quiet, key=score) if quiet else None


# -- sending ----------------------------------------------------------------------------------


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def mailto_url(text: str, *, recipient: str = "", to_address: str = "", invite: bool = False,
               subject: str | None = None) -> str:
    """A ``mailto:`` URL (RFC 6068) carrying the sentence as the body.

    Every character outside the unreserved set is UTF-8 percent-encoded (spaces as ``%20``,
    never ``+``); line breaks become ``%0D%0A``. ``@`` stays readable in the address.
    """
    if subject is None:
        subject = f"Thank you, {recipient.strip()}" if recipient.strip() else "Thank you"
    body = text
    if invite:
        body = f"{body.rstrip()}\n\n{INVITE_LINE}" if body.strip() else INVITE_LINE
    address = quote(to_address.strip(), safe="@")
    return (f"mailto:{address}?subject={quote(_crlf(subject), safe='')}"
            f"&body={quote(_crlf(body), safe='')}")
