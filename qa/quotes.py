"""Direct quotations in a news article, each attributed to its speaker, by rules.

No language model ships offline, so this is a small rule engine over regular expressions:

1. Quote spans: paragraph by paragraph, curly (“ ” « ») and straight (") marks are paired; the
   direction of a mark is read from its context (space before and a letter after opens), so a
   typo such as ``that ”the likelihood`` still opens a quote.  The open/closed state is reset at
   each paragraph; an unclosed quote whose next paragraph opens with a mark is one quote running
   across paragraphs (the news convention) and all its parts share one speaker.
2. Mentions: capitalised name sequences (particles, hyphens, initials, non-ASCII letters) with an
   optional role or honorific before them (``Russian Foreign Minister Sergey Lavrov``,
   ``Mr. Blinken``) or a role appositive after them (``Lavrov, Russia's foreign minister,``).
   A per-article registry maps a later ``Blinken`` to ``Antony Blinken`` and keeps roles.
3. Attribution, first match wins: after the quote (``“…,” Blinken said`` / ``said Blinken`` /
   ``according to Blinken``), before it (``Blinken said: “…”`` / ``…to say that “…”``), or a
   lead-in sentence (``Blinken said the talks were useful. “…”``).  Pronouns go to the most
   recent person in subject position.  Unattributed quotes then inherit the speaker of the
   previous quote in their paragraph (unless someone else became the subject in between) or of
   another part of the same multi-paragraph quote.

Decisions: organisations keep their own name as speaker (``White House``), never a person's;
unnamed people and groups (``officials said``, ``the ministry said``) get speaker ``""``.  A
quoted fragment of fewer than four words is a term (scare quote, title) and is not returned
unless an attribution sits right next to it (``“No,” he said.``).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from qa.types import Article, Quote

# ---------------------------------------------------------------------------------------------
# Lexicons

_SPEECH_VERBS = (
    "pointed out", "points out", "went on", "goes on",
    "say", "says", "said", "saying", "tell", "tells", "told", "telling",
    "add", "adds", "added", "adding", "ask", "asks", "asked", "asking", "noted", "noting",
    "argue", "argues", "argued", "arguing", "explain", "explains", "explained", "explaining",
    "write", "writes", "wrote", "writing", "stated", "warn", "warns", "warned", "warning",
    "insists", "insisted", "insisting", "declares", "declared", "acknowledges", "acknowledged",
    "continues", "continued", "replies", "replied", "tweeted", "posted", "recalled", "recalling",
    "remarked", "observed", "concedes", "conceded", "admits", "admitted", "cautioned", "countered",
    "responded", "emphasized", "emphasised", "stressed", "suggests", "suggested", "predicts",
    "predicted", "claimed", "announced", "complained", "joked", "quipped", "recounted",
    "wondered", "urged", "testified", "vowed", "promised", "maintained", "contended",
    "reiterated", "confirmed", "lamented",
)  # ambiguous plurals ("states", "notes", "claims", "remarks") are left out on purpose

_ROLE_CORES = (
    "secretary of state", "secretary of defense", "secretary-general", "secretary general",
    "attorney general", "chief of staff", "chief executive officer", "chief executive",
    "press secretary", "foreign secretary", "home secretary", "defense secretary",
    "foreign minister", "prime minister", "vice president", "president-elect",
    "majority leader", "minority leader", "head coach", "chief justice", "chief economist",
    "secretary", "minister", "president", "chancellor", "senator", "sen.", "representative",
    "rep.", "congressman", "congresswoman", "governor", "gov.", "mayor", "ambassador", "envoy",
    "spokesperson", "spokesman", "spokeswoman", "ceo", "cfo", "chairman", "chairwoman", "chair",
    "director", "professor", "prof.", "speaker", "leader", "judge", "justice", "commissioner",
    "coach", "king", "queen", "prince", "princess", "pope", "general", "gen.", "admiral",
    "colonel", "col.", "captain", "capt.", "sheriff", "founder", "co-founder", "analyst",
    "economist", "adviser", "advisor", "diplomat", "commander", "lawyer", "attorney",
)
_HONORIFICS = {"Mr.": "m", "Mrs.": "f", "Ms.": "f", "Miss": "f", "Dr.": "", "Sir": "m", "Dame": "f"}
_FEMALE_ROLE_WORDS = {"spokeswoman", "congresswoman", "chairwoman", "queen", "princess"}
_MALE_ROLE_WORDS = {"spokesman", "congressman", "chairman", "king", "prince"}

# Country (canonical) followed by the words that name it in a role: "Russian", "Russia's".
_NATIONS = (
    ("united states", "us", "u.s.", "american", "america"), ("russia", "russian"),
    ("ukraine", "ukrainian"), ("china", "chinese"), ("britain", "british", "uk", "u.k.", "english"),
    ("france", "french"), ("germany", "german"), ("israel", "israeli"), ("iran", "iranian"),
    ("japan", "japanese"), ("india", "indian"), ("canada", "canadian"), ("mexico", "mexican"),
    ("turkey", "turkish"), ("poland", "polish"), ("italy", "italian"), ("spain", "spanish"),
    ("australia", "australian"), ("north korea", "north korean"), ("south korea", "south korean"),
    ("saudi arabia", "saudi"), ("belarus", "belarusian"), ("taiwan", "taiwanese"),
    ("brazil", "brazilian"), ("egypt", "egyptian"), ("syria", "syrian"), ("afghanistan", "afghan"),
    ("pakistan", "pakistani"), ("european union", "eu", "e.u.", "european"), ("nato",),
)
_NATION_OF = {alias: names[0] for names in _NATIONS for alias in names}
_ROLE_ABBREVIATIONS = {"sen.": "senator", "rep.": "representative", "gov.": "governor",
                       "gen.": "general", "prof.": "professor", "col.": "colonel", "capt.": "captain"}

# Capitalised words that cannot be part of a person's name.
_NOT_NAME_WORDS = (
    "The A An This That These Those It Its He She His Her They Their We Our I You Your My But And Or "
    "Nor So Yet Still If When While Whereas Although Though Because Since After Before As At In On "
    "For From With By Of To Into About Over Under Then Now Here There Also However Meanwhile "
    "Moreover Instead Last Next Earlier Later Today Yesterday Tomorrow Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday January February March September October November December "
    "Mr Mrs Ms Dr According Asked Speaking What Who Whom How Why Where Which Not No Yes Like Even "
    "Just Only More Most Many Some All Every Each Both Other Another Such One Two Three Related Click"
).split()
_ORG_WORDS = set(
    "House Department Ministry Office Agency Administration Council Committee Commission Court "
    "Congress Senate Parliament Kremlin Pentagon Union Nations States Kingdom Republic Party Bank "
    "Fund Group Company Corporation Corp. Inc. Ltd Association Institute University College School "
    "Center Centre Foundation Service Services Police Army Navy Force Forces Guard Times Post News "
    "Journal Examiner Herald Tribune Gazette Telegraph Guardian Press Network Airlines Airways "
    "Motors Electric Dynamics Mills Health Hospital Church Club League Team Street Avenue Road City "
    "County State Province Island Islands Bay Park Airport Station Square Hall Museum Media "
    "Television Radio Reuters Bloomberg Content Treaty Act Organization Organisation Authority "
    "Board Bureau Federation Alliance Coalition Systems Technologies Labs Studios Pictures Records "
    "Entertainment Festival Awards Cup Games Olympics Championship Series Show Day Week War Region "
    "Valley River Lake Mountains Sea Ocean Coast Beach Stadium Arena Tower Bridge Building Watch "
    "Register Review Magazine Capitol Assembly Cabinet Embassy Reserve Fed".split()
)
# First words of multi-word place or group names ("New York", "Western European").
_PLACE_FIRST_WORDS = set(
    "New Los Las San Santa St. Saint North South East West Northern Southern Eastern Western "
    "Central United Great Upper Lower Middle Greater Hong Sri Saudi Costa Puerto Tel Abu Buenos "
    "Sao São El Fort Palm Mount Cape Port Rio Kuala Wall Capitol Silicon".split()
) | {alias.title() for alias in _NATION_OF}
_GENERIC_NOUNS = set(
    "official officials spokesperson spokesman spokeswoman spokespeople aide aides source sources "
    "statement ministry department agency police authorities government company report analyst "
    "analysts expert experts critic critics resident residents witness witnesses lawmaker "
    "lawmakers researcher researchers scientist scientists prosecutor prosecutors investigator "
    "investigators organizer organizers officer officers administration office court study "
    "survey people group campaign firm leaders diplomats observers members filing release letter "
    "representatives family spokespersons".split()
)
_DETERMINERS = set("a an the one two three several some many other another his her their its "
                   "this that these those senior top".split())
_PRONOUN_GENDER = {"he": "m", "she": "f"}
_ABBREVIATIONS = set("mr mrs ms dr sen rep gov gen lt col sgt st jr sr prof rev capt adm maj "
                     "mt no inc corp co ltd vs u.s u.k u.n e.u d.c".split())

# ---------------------------------------------------------------------------------------------
# Regular expressions


def _letters(predicate) -> str:
    chars = (chr(c) for c in [*range(0x41, 0x530), *range(0x1E00, 0x1F00)])
    return "[" + re.escape("".join(c for c in chars if predicate(c))) + "]"


_UPPER = _letters(str.isupper)
_LOWER = _letters(str.islower)
_LETTER = r"[^\W\d_]"


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NAME_WORD = (rf"(?!(?:{'|'.join(_NOT_NAME_WORDS)})\b)"
              rf"{_UPPER}(?:['’]{_UPPER})?{_LOWER}{_LETTER}*(?:-{_LETTER}+)*")
_INITIAL = rf"(?!(?:U\.S|U\.K|U\.N|E\.U|D\.C)\.){_UPPER}\.(?:{_UPPER}\.)*"
_PARTICLE = r"(?:de|da|del|della|di|du|van|von|der|den|la|le|bin|ibn|al|dos|das|ter|ten)"
_NAME = (rf"(?:{_INITIAL}[ ])*{_NAME_WORD}"
         rf"(?:[ ](?:{_PARTICLE}[ ])*(?:{_INITIAL}[ ])*{_NAME_WORD})*"
         r"(?:[ ](?:Jr\.|Sr\.|II|III|IV)(?!\w))?")
_ROLE_CORE = rf"(?i:{_alternation(_ROLE_CORES)})"
_ROLE_PREMOD = (r"(?:U\.S\.|U\.K\.|U\.N\.|E\.U\.|"
                r"(?i:former|acting|deputy|then-|senior|top|outgoing|incoming|interim|assistant)|"
                rf"(?!(?:{'|'.join(_NOT_NAME_WORDS)})\b){_UPPER}{_LETTER}*(?:['’]s)?)")
_ROLE = rf"(?:{_ROLE_PREMOD}[ ]){{0,3}}{_ROLE_CORE}"
_MENTION_RE = re.compile(
    rf"(?:(?P<role>{_ROLE})[ ]+)?(?:(?P<hon>{_alternation(list(_HONORIFICS))})[ ]+)?(?P<name>{_NAME})"
)
# ", Russia's foreign minister," / ", a professor of economics at Yale," right after a name.
_APPOSITIVE_RE = re.compile(r",[ ]+(?P<text>[^,.;!?“”\"\n]{1,80}?)(?=[,.;]|$)")
_APPOSITIVE_ROLE_RE = re.compile(
    rf"(?:(?:a|an|the)[ ])?(?:(?:{_ROLE_PREMOD}|[a-z'’-]+)[ ]){{0,4}}?{_ROLE_CORE}"
    rf"(?:[ ](?:of|at|for|in|to)[ ][^,.;!?“”\"]{{1,50}})?"
)
_SPEECH_VERB_RE = re.compile(rf"\b(?:{_alternation(_SPEECH_VERBS)})\b")
# Adverbs and auxiliaries allowed between a subject and its verb: "Blinken also said".
_FILLER = r"(?:also|later|then|previously|once|again|further|still|recently|earlier|had|has|have|would|will|was|is|[a-z]+ly)"
_TRAILING_FILLERS_RE = re.compile(rf"(?:\s+{_FILLER})*\s*,?\s*$")
_LEADING_FILLERS_RE = re.compile(rf"(?:{_FILLER}\s+)*")
# Between a speech verb and the quote it introduces: a short object, "that", a colon or comma.
_VERB_TAIL_RE = re.compile(r"(?P<words>(?:[ ]+[^\s,;:—–“”\"]+){0,8}?)(?:[ ]+that)?[ ]*[:,]?[ ]*")
_CLAUSE_BREAK_RE = re.compile(r"[;—–]|\s-\s|\b(?:but|although|though|while|whereas|because)\b")
_ACCORDING_TO_RE = re.compile(r"\b[Aa]ccording to\s+")
_PRONOUN_RE = re.compile(r"(?i:he|she|it|they|we|i)\b")
_POSSESSIVE_RE = re.compile(r"['’]s\b")
_SENTENCE_END_RE = re.compile(rf"[.!?][”\"’)]*\s+(?=[“\"‘(]?(?:{_UPPER}|\d))")
_CLAUSE_OPENERS = set("and but although though while whereas because since as when after before "
                      "that who which if so yet where until unless".split())
_WORD_RE = re.compile(r"[\w’'-]+")

_OPEN_MARKS, _CLOSE_MARKS, _STRAIGHT_MARK = "“«", "”»", '"'
_QUOTE_MARK_RE = re.compile(r"[“”«»\"]")
_MIN_QUOTE_WORDS = 4  # shorter quoted fragments are terms ("draft treaty"), not quotations

# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class _Speaker:
    name: str  # "" for unnamed people and groups
    role: str = ""
    is_person: bool = False
    gender: str = ""  # "m", "f" or "" when unknown


_NOBODY = _Speaker("")


@dataclass(frozen=True)
class _Mention:
    start: int  # including the role before the name
    end: int
    name: str
    role: str
    honorific: str


@dataclass
class _RawQuote:
    start: int
    end: int
    open_mark: int
    close_mark: int | None  # None: the quote runs to the end of its paragraph
    paragraph: int
    chain: int  # quotes running across paragraphs share a chain number
    speaker: _Speaker | None = None
    adjacent_attribution: bool = False  # attribution sits right next to the quote marks

    @property
    def word_count(self) -> int:
        return 0  # replaced by _ArticleReader.words(); kept off the dataclass on purpose


@dataclass(frozen=True)
class _Event:
    """Someone became the subject of a sentence (or a speaker) at ``position``."""

    position: int
    paragraph: int
    speaker: _Speaker


@dataclass
class _People:
    """The article's persons by full name, with their roles and genders."""

    roles: dict[str, str] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)

    def full_name(self, name: str) -> str | None:
        """The one registered full name that ``name`` is, or ends with ("Blinken")."""
        if name in self.roles:
            return name
        tokens = name.split()
        matches = [full for full in self.roles
                   if len(_bare_tokens(full)) > len(tokens) and _bare_tokens(full)[-len(tokens):] == tokens]
        return matches[0] if len(matches) == 1 else None

    def with_role(self, role_phrase: str) -> str | None:
        matches = [name for name, role in self.roles.items() if role and _role_matches(role_phrase, role)]
        return matches[0] if len(matches) == 1 else None


def _bare_tokens(name: str) -> list[str]:
    return [t for t in name.split() if t not in {"Jr.", "Sr.", "II", "III", "IV"}]


# ---------------------------------------------------------------------------------------------
# Quote spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        stripped = match.group().strip()
        if stripped:
            start = match.start() + match.group().index(stripped)
            spans.append((start, start + len(stripped)))
    return spans


def _mark_direction(text: str, i: int, start: int, end: int) -> str:
    """"open", "close" or "either", from the mark itself and what surrounds it."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    opens = (before.isspace() or before in "([{—–-/") and not after.isspace()
    closes = not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-…'’")
    if text[i] in _OPEN_MARKS:
        return "close" if closes and not opens else "open"
    if text[i] in _CLOSE_MARKS:
        return "open" if opens and not closes else "close"
    return "open" if opens and not closes else "close" if closes and not opens else "either"


def _quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[_RawQuote]:
    quotes: list[_RawQuote] = []
    chain = 0
    for index, (start, end) in enumerate(paragraphs):
        opened: int | None = None
        for mark in _QUOTE_MARK_RE.finditer(text, start, end):
            direction = _mark_direction(text, mark.start(), start, end)
            if opened is None and direction != "close":
                opened = mark.start()
            elif opened is not None and direction != "open":
                quotes.append(_RawQuote(opened + 1, mark.start(), opened, mark.start(), index, chain))
                chain += 1
                opened = None
            elif opened is not None:  # a second opener: the first one was stray
                opened = mark.start()
        if opened is not None:
            continues = quotes and quotes[-1].close_mark is None and quotes[-1].paragraph == index - 1 \
                and text[start] in _OPEN_MARKS + _STRAIGHT_MARK and opened == start
            quotes.append(_RawQuote(opened + 1, end, opened, None, index, quotes[-1].chain if continues else chain))
            chain += 0 if continues else 1
        elif quotes and quotes[-1].close_mark is None and quotes[-1].paragraph == index - 1 \
                and text[start] in _OPEN_MARKS + _STRAIGHT_MARK:
            # "“Part one… / “part two.”": the closed part continues the previous unclosed one.
            first = next(q for q in quotes if q.paragraph == index) if any(q.paragraph == index for q in quotes) else None
            if first is not None and first.open_mark == start:
                first.chain = quotes[-1 - sum(q.paragraph == index for q in quotes)].chain
    return [_trimmed(text, q) for q in quotes if text[q.start:q.end].strip()]


def _trimmed(text: str, quote: _RawQuote) -> _RawQuote:
    content = text[quote.start:quote.end]
    quote.start += len(content) - len(content.lstrip())
    quote.end -= len(content) - len(content.rstrip())
    return quote
