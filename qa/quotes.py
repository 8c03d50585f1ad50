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
   ``according to Blinken``), before it (``Blinken said: “…”`` / ``…to say that “…”``), a
   lead-in sentence (``Blinken said the talks were useful. “…”``), or a signature line after a
   paragraph that is only the quote (``-- Tennis player Naomi Osaka``).  Pronouns go to the most
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
from typing import Callable, Sequence

from qa.types import Article, Quote

# Bump when find_quotes changes what it returns: indexes re-extract their stored quotes (no re-embedding).
EXTRACTOR_VERSION = 2  # 2: quotes signed on the next line ("-- Naomi Osaka")

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
    "chief financial officer", "chief operating officer", "chief medical officer", "officer",
    "executive director", "managing director", "general manager", "manager", "superintendent",
    "coordinator", "executive", "co-ceo", "head", "inspector", "detective", "trustee",
    "star", "actor", "actress", "singer", "rapper", "author", "columnist", "correspondent", "editor",
    "producer", "player", "quarterback", "goalie", "defenseman", "midfielder", "striker", "pitcher",
    "champion", "runner-up", "winner", "model", "rabbi", "imam", "bishop", "archbishop", "cardinal",
    "reverend", "rev.", "campaigner", "activist", "organizer", "organiser", "official", "scientist",
    "researcher", "expert", "doctor", "nurse", "teacher", "lawmaker", "legislator", "candidate",
    "nominee",
    "chef", "artist", "musician", "comedian", "filmmaker", "journalist", "historian", "boss", "chief",
    "supervisor", "member", "president pro tempore",
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
    "Just Only More Most Many Some All Every Each Both Other Another Such One Two Three Related Click "
    "Jr Sr "
    "Did Does Do Is Are Was Were Can Will Would Should Could Despite Unlike Among Amid Across During "
    "Following Including Regarding Throughout Within Without Fellow Dear Ask Please"
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
    "Register Review Magazine Capitol Assembly Cabinet Embassy Reserve Fed Control Prevention Care "
    "International National Global Federal Royal Speedway Raceway Hurricane Cyclone Typhoon Storm "
    "Tropical".split()
)
# First words of multi-word place or group names ("New York", "Western European").
_PLACE_FIRST_WORDS = set(
    "New Los Las San Santa St. Saint North South East West Northern Southern Eastern Western "
    "Central United Great Upper Lower Middle Greater Hong Sri Saudi Costa Puerto Tel Abu Buenos "
    "Sao São El Fort Palm Mount Cape Port Rio Kuala Wall Capitol Silicon".split()
) | {alias.title() for alias in _NATION_OF}
# A state or country written right before a name: "…District of Illinois Joseph D. Fitzpatrick".
_PLACE_WORDS = set(
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii "
    "Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan "
    "Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania "
    "Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming".split()
) | {alias.title() for alias in _NATION_OF}
_PARTY_WORDS = {"Democrat", "Democrats", "Republican", "Republicans", "Independent", "Conservative", "Tory"}
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


def _letters(predicate: Callable[[str], bool]) -> str:
    """A character class of the Latin, Greek and Cyrillic letters that satisfy ``predicate``."""
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
_FUNCTION_WORDS = (
    "the a an and or but nor of to in on at by for with from as that this these those who whom which his "
    "her their its our your my is was are were be been being has have had will would can could should "
    "may might must not no so than then there here when where while"
).split()
# Lower-case words that may stand in a title before a name: "California insurance commissioner".
_ROLE_MODIFIERS = (
    "former acting deputy senior top outgoing incoming interim assistant associate vice "
    "chief executive managing general financial operating medical insurance health finance "
    "education transportation foreign interior defense defence economic justice energy trade "
    "press police fire school county city state district research communications campaign party "
    "opposition majority minority national security climate environment agriculture labor labour "
    "commerce treasury military team club company marketing program public policy legal "
    "political intelligence homeland emergency"
).split()
_ROLE_PREMOD = (r"(?:U\.S\.|U\.K\.|U\.N\.|E\.U\.|"
                rf"(?i:{_alternation(_ROLE_MODIFIERS)})(?![\w-])|"
                rf"(?!(?:{'|'.join(_NOT_NAME_WORDS)})\b){_UPPER}{_LETTER}*(?:-[a-z]+)*(?:['’]s)?)")
# After a first known modifier, any content word may follow ("associate athletic director"); the
# first word must be known, so that "met foreign minister Lavrov" starts its title at "foreign".
_OPEN_MODIFIER = rf"(?!(?:{_alternation([*_FUNCTION_WORDS, *_SPEECH_VERBS])})\b)[a-z][a-z-]+"
_ROLE = (rf"(?:{_ROLE_PREMOD}[ ](?:(?:{_ROLE_PREMOD}|{_OPEN_MODIFIER})[ ]){{0,4}})?{_ROLE_CORE}"
         rf"(?:[ ]of(?:[ ]the)?(?:[ ]{_UPPER}{_LOWER}+){{1,3}}?)?")  # lazy: "of Education" + "Miguel Cardona"
_MENTION_RE = re.compile(  # only at the start of a word: not "Phone" in "iPhone", and far faster
    rf"(?<![\w’'-])(?:(?P<role>{_ROLE})[ ]+)?(?:(?P<hon>{_alternation(list(_HONORIFICS))})[ ]+)?"
    rf"(?P<name>{_NAME})"
)
# ", Russia's foreign minister," / ", a professor of economics at Yale," right after a name.
_APPOSITIVE_RE = re.compile(r",[ ]+(?P<text>[^,.;!?“”\"\n]{1,80}?)(?=[,.;]|$)")
_APPOSITIVE_ROLE_RE = re.compile(
    rf"(?!(?:who|whose|which|that|whom)\b)(?:(?:a|an|the)[ ])?"
    rf"(?:(?:{_ROLE_PREMOD}|[a-z'’-]+)[ ]){{0,4}}?{_ROLE_CORE}"
    rf"(?:[ ](?:of|at|for|in|to)[ ](?:(?!said\b|says\b|told\b)[^,.;!?“”\"]){{1,50}})?"
)
_SIGNATURE_DASH_RE = re.compile(r"(?:--|—|–)[ ]*")
_SPEECH_VERB_RE = re.compile(rf"\b(?:{_alternation(_SPEECH_VERBS)})\b")
# Adverbs and auxiliaries allowed between a subject and its verb: "Blinken also said".
_FILLER = (r"(?:also|later|then|previously|once|again|further|still|recently|earlier|had|has|have|would|"
           r"will|was|is|(?!family\b|only\b|ally\b)[a-z]+ly)")
_TRAILING_FILLERS_RE = re.compile(rf"(?:\s+{_FILLER})*\s*,?\s*$")
# Between a speech verb and the quote it introduces: a short object, "that", a colon or comma.
_VERB_TAIL_RE = re.compile(r"(?P<words>(?:[ ]+[^\s,;:—–“”\"]+){0,8}?)(?:[ ]+that)?[ ]*[:,]?[ ]*")
_CLAUSE_BREAK_RE = re.compile(r"[;—–]|\s-\s|\b(?:but|although|though|while|whereas|because)\b")
_PASSIVE_MARKERS = set("when was were been being is are be if once unless after before get got".split())
_ACCORDING_TO_RE = re.compile(r"\b[Aa]ccording to\s+")
_ATTRIBUTION_LEAD_RE = re.compile(r"\s*(,)?\s*")  # between a closing mark and "Blinken said"
_INVERTED_VERB_RE = re.compile(rf"(?:{_FILLER}\s+)*{_SPEECH_VERB_RE.pattern}\s+")  # "said Blinken"
_JOINT_SUBJECT_RE = re.compile(r"\s+(?:and|&)\s+\S+")  # "Blinken and Lavrov said"
_LIST_GOES_ON_RE = re.compile(rf"(?:,\s*|\s+and\s+){_UPPER}")  # "Sandy Koufax, Fernando Valenzuela and…"
_PRONOUN_RE = re.compile(r"(?i:he|she|it|they|we|i)\b")
_POSSESSIVE_RE = re.compile(r"['’]s\b")
_SENTENCE_END_RE = re.compile(rf"[.!?][”\"’)]*\s+(?=[“\"‘(]?(?:{_UPPER}|\d))")
_CLAUSE_OPENERS = set("and but although though while whereas because since as when after before "
                      "that who which if so yet where until unless".split())
_PREPOSITIONS = set("with to by of for from at on in into about against between among toward towards "
                    "under over after before like than as via including and or nor".split())
_COMMON_VERBS = set("met meet told tell saw see beat hit led lead won win took take gave give made make sent "
                    "send left leave let put thank thanks ask hire fire name call join visit".split())
_WORD_RE = re.compile(r"[\w’'-]+")

_OPEN_MARKS, _CLOSE_MARKS = "“«", "”»"
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
    chain: int  # the parts of a quote running across paragraphs share a chain number
    speaker: _Speaker | None = None  # None: not attributed (yet)
    adjacent_attribution: bool = False  # "“No,” he said." — keeps even a short quote


@dataclass(frozen=True)
class _Attribution:
    speaker: _Speaker
    adjacent: bool


@dataclass(frozen=True)
class _Event:
    """Someone became the subject of a sentence, or a speaker, at ``position``."""

    position: int
    paragraph: int
    speaker: _Speaker


@dataclass
class _People:
    """The article's persons by full name ("Antony Blinken"), with role and gender when given."""

    roles: dict[str, str] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)
    _tokens: dict[str, list[str]] = field(default_factory=dict)  # full name → tokens without "Jr."

    def add(self, name: str, role: str, gender: str) -> None:
        self.roles[name] = self.roles.get(name) or role
        self.genders[name] = self.genders.get(name) or gender
        self._tokens[name] = _bare_tokens(name)

    def full_name(self, name: str, family_name_first: bool = False) -> str | None:
        """The one registered full name that ``name`` is or ends with ("Blinken"), if unambiguous;
        with ``family_name_first``, failing that, begins with ("Dong" for "Dong Hong")."""
        if name in self.roles:
            return name
        matches = self.names_ending_with(name)
        if not matches and family_name_first:
            matches = self._names_starting_with(name)
        return matches[0] if len(matches) == 1 else None

    def names_ending_with(self, name: str) -> list[str]:
        tokens = name.split()
        return [full for full, bare in self._tokens.items()
                if len(bare) > len(tokens) and bare[-len(tokens):] == tokens]

    def _names_starting_with(self, name: str) -> list[str]:
        tokens = name.split()
        return [full for full, bare in self._tokens.items()
                if len(bare) > len(tokens) and bare[:len(tokens)] == tokens]

    def with_role(self, role_phrase: str) -> str | None:
        matches = [name for name, role in self.roles.items() if role and _role_matches(role_phrase, role)]
        return matches[0] if len(matches) == 1 else None


def _bare_tokens(name: str) -> list[str]:
    return [t for t in name.split() if t not in {"Jr.", "Sr.", "II", "III", "IV"}]


def _is_organisation(name: str) -> bool:
    tokens = name.split()
    return any(t in _ORG_WORDS for t in tokens) or (len(tokens) > 1 and tokens[0] in _PLACE_FIRST_WORDS)


def _gender(honorific: str, role: str) -> str:
    words = set(role.lower().split())
    if words & _FEMALE_ROLE_WORDS:
        return "f"
    if words & _MALE_ROLE_WORDS:
        return "m"
    return _HONORIFICS.get(honorific, "")


# ---------------------------------------------------------------------------------------------
# Quote spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-blank lines, trimmed: news paragraphs, and the unit the quote state resets at."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        content = line.group()
        if content.strip():
            start = line.start() + len(content) - len(content.lstrip())
            spans.append((start, start + len(content.strip())))
    return spans


def _mark_direction(text: str, i: int, start: int, end: int) -> str:
    """"open", "close" or "either", read from the mark and its neighbours so a typo'd mark still works."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    opens = (before.isspace() or before in "([{—–-/") and not after.isspace()
    closes = not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-…'’")
    if text[i] in _OPEN_MARKS:
        return "close" if closes and not opens else "open"
    if text[i] in _CLOSE_MARKS:
        return "open" if opens and not closes else "close"
    return "open" if opens and not closes else "close" if closes and not opens else "either"


def _paragraph_quotes(text: str, index: int, start: int, end: int) -> list[_RawQuote]:
    quotes = []
    opened: int | None = None
    for mark in _QUOTE_MARK_RE.finditer(text, start, end):
        direction = _mark_direction(text, mark.start(), start, end)
        if opened is None:
            if direction != "close":  # a stray closing mark is ignored
                opened = mark.start()
        elif direction != "open":
            quotes.append(_RawQuote(opened + 1, mark.start(), opened, mark.start(), index, 0))
            opened = None
        else:  # a second opening mark: the first one was stray
            opened = mark.start()
    if opened is not None:
        quotes.append(_RawQuote(opened + 1, end, opened, None, index, 0))
    return quotes


def _quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[_RawQuote]:
    quotes = [q for index, (start, end) in enumerate(paragraphs)
              for q in _paragraph_quotes(text, index, start, end)]
    for number, quote in enumerate(quotes):
        quote.chain = number
    # An unclosed quote followed by a paragraph that opens with a quote mark runs on into it.
    for previous, quote in zip(quotes, quotes[1:]):
        if (previous.close_mark is None and quote.paragraph == previous.paragraph + 1
                and quote.open_mark == paragraphs[quote.paragraph][0]):
            quote.chain = previous.chain
    for quote in quotes:
        content = text[quote.start:quote.end]
        quote.start += len(content) - len(content.lstrip())
        quote.end -= len(content) - len(content.rstrip())
    return [q for q in quotes if q.end > q.start]


def _word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


# ---------------------------------------------------------------------------------------------
# Reading one article


class _ArticleReader:
    """Everything find_quotes needs to know about one article, computed once."""

    def __init__(self, article: Article) -> None:
        self.text = article.text
        self.paragraphs = _paragraphs(self.text)
        self._paragraph_starts = [start for start, _ in self.paragraphs]
        self._sentence_starts = self._find_sentence_starts()
        self.quotes = _quote_spans(self.text, self.paragraphs)
        self._quoted = [(q.open_mark, q.end) for q in self.quotes]
        self.mentions = self._find_mentions(self.text)
        self._mention_starts = [m.start for m in self.mentions]
        self._mention_at = {m.start: m for m in self.mentions}
        self.people = self._register_people(article.title)
        self.events: list[_Event] = []
        for mention in self.mentions:
            if not self._inside_quote(mention.start) and self._is_subject_position(mention):
                self._add_event(mention.start, self.speaker_for(mention))

    # -- positions ----------------------------------------------------------------------------

    def paragraph_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self._paragraph_starts, position) - 1)

    def _find_sentence_starts(self) -> list[int]:
        starts = set(self._paragraph_starts)
        for boundary in _SENTENCE_END_RE.finditer(self.text):
            word_before = re.search(r"[\w.]*$", self.text[max(0, boundary.start() - 12):boundary.start()]).group()
            is_initial = len(word_before) == 1 and word_before.isupper()
            if word_before.lower() not in _ABBREVIATIONS and not is_initial:
                starts.add(boundary.end())
        return sorted(starts)

    def sentence_start(self, position: int) -> int:
        """Start of the sentence holding ``position`` (never before its paragraph)."""
        index = bisect.bisect_right(self._sentence_starts, position) - 1
        return max(self._sentence_starts[index], self.paragraphs[self.paragraph_of(position)][0])

    def _inside_quote(self, position: int) -> bool:
        index = bisect.bisect_right(self._quoted, (position, float("inf"))) - 1
        return index >= 0 and self._quoted[index][0] <= position < self._quoted[index][1]

    def _mentions_between(self, start: int, end: int) -> list[_Mention]:
        low = bisect.bisect_left(self._mention_starts, start)
        high = bisect.bisect_left(self._mention_starts, end)
        return [m for m in self.mentions[low:high] if m.end <= end]

    # -- people -------------------------------------------------------------------------------

    @staticmethod
    def _find_mentions(text: str) -> list[_Mention]:
        mentions = []
        for match in _MENTION_RE.finditer(text):
            role, name = match.group("role") or "", match.group("name")
            first, _, rest = name.partition(" ")
            if first in _PLACE_WORDS and len(rest.split()) > 1:
                name = rest
            if re.fullmatch(_ROLE_CORE, name) or name.split()[-1] in _PARTY_WORDS:
                continue  # "the President said" names a role; "the Massachusetts Democrat" no one
            if _is_organisation(name):
                role = ""  # "General Motors" is not a general
            mentions.append(_Mention(match.start(), match.end(), name, role, match.group("hon") or ""))
        return mentions

    def _appositive_role(self, mention: _Mention) -> str:
        """``Lavrov, Russia's foreign minister, said`` → "Russia's foreign minister"."""
        appositive = _APPOSITIVE_RE.match(self.text, mention.end)
        if appositive and _APPOSITIVE_ROLE_RE.fullmatch(appositive.group("text")):
            return re.sub(r"^(?:a|an|the) ", "", appositive.group("text"))
        return ""

    def _register_people(self, title: str) -> _People:
        people = _People()
        candidates = [(m, m.role or self._appositive_role(m)) for m in self.mentions]
        candidates += [(m, m.role) for m in self._find_mentions(title)]
        full_names = [(m, role) for m, role in candidates
                      if len(_bare_tokens(m.name)) > 1 and not _is_organisation(m.name)]
        # Longest first, so that "Le Drian" is read as part of "Jean-Yves Le Drian", not a name of its own.
        for mention, role in sorted(full_names, key=lambda c: -len(_bare_tokens(c[0].name))):
            if not people.names_ending_with(mention.name):
                people.add(mention.name, role, _gender(mention.honorific, role))
        for mention, role in candidates:  # "President Biden" gives Joe Biden his role
            full = people.full_name(mention.name)
            if full:
                people.add(full, role, _gender(mention.honorific, role))
        return people

    def speaker_for(self, mention: _Mention) -> _Speaker:
        if _is_organisation(mention.name):
            return _Speaker(mention.name)
        # A titled mention ("Prince William") is never read as a first name ("William Shatner").
        full = self.people.full_name(mention.name, family_name_first=not (mention.role or mention.honorific))
        if full:
            role = mention.role or self.people.roles[full]
            gender = self.people.genders[full] or _gender(mention.honorific, role)
            return _Speaker(full, role, True, gender)
        # A surname shared by several people stays a bare surname: never guess between them.
        # A lone unknown word ("Apple", "Moscow") is no person unless a role or title says so.
        role = mention.role or self._appositive_role(mention)
        is_person = bool(role or mention.honorific or len(mention.name.split()) > 1
                         or self.people.names_ending_with(mention.name))
        return _Speaker(mention.name, role, is_person, _gender(mention.honorific, role))

    # -- subjects and pronouns ----------------------------------------------------------------

    def _add_event(self, position: int, speaker: _Speaker) -> None:
        if speaker.name:
            event = _Event(position, self.paragraph_of(position), speaker)
            bisect.insort(self.events, event, key=lambda e: e.position)

    def _is_subject_position(self, mention: _Mention) -> bool:
        """Whether a mention looks like the subject of its clause: "Blinken agreed", "…, although
        Biden used", "British-Belgian national Mack Rutherford touched down"."""
        if _POSSESSIVE_RE.match(self.text, mention.end) or not re.match(
                r",|\s+[a-z]", self.text[mention.end:mention.end + 2]):
            return False
        if _LIST_GOES_ON_RE.match(self.text, mention.end):
            return False  # one of a list of names
        sentence_start = self.sentence_start(mention.start)
        before = re.sub(r"\b[Tt]he\s+$", "", self.text[sentence_start:mention.start]).rstrip()
        if not before or before[-1] in ".!?,;:—–(“”\"" or before.split()[-1].lower() in _CLAUSE_OPENERS:
            return True
        # A descriptive lead-in ("British-Belgian national Mack Rutherford touched down"): the
        # sentence's first person, not the object of a preposition or of a verb ("Reporters met Doe").
        word_before = before.split()[-1].lower()
        looks_like_verb = word_before in _COMMON_VERBS or re.search(r"(?:ed|[^s]s)$", word_before)
        earlier_mentions = self._mentions_between(sentence_start, mention.start)
        return (word_before not in _PREPOSITIONS and not looks_like_verb and self.speaker_for(mention).is_person
                and not any(self.speaker_for(m).is_person for m in earlier_mentions))

    def resolve_pronoun(self, pronoun: str, position: int) -> _Speaker:
        """He/she → the most recent person in subject position, within the last few paragraphs."""
        pronoun = pronoun.lower()
        if pronoun not in ("he", "she", "it"):
            return _NOBODY  # "they", "we", "I": a group or the writer
        oldest_paragraph = self.paragraph_of(position) - 3
        earlier = [e for e in self.events if e.position < position and e.paragraph >= oldest_paragraph]
        for event in reversed(earlier):
            if pronoun == "it":
                return _NOBODY if event.speaker.is_person else event.speaker
            if event.speaker.is_person and event.speaker.gender in ("", _PRONOUN_GENDER[pronoun]):
                return event.speaker
        return _NOBODY

    def parse_subject(self, start: int, limit: int, whole: bool) -> tuple[_Speaker, int] | None:
        """The speaker named at ``start`` and where that name ends, or None when nothing parses.

        ``whole``: the subject is everything up to ``limit`` (used for generic phrases).
        """
        lead = re.match(r"[\s,]*(?:(?:[Aa]nd|[Bb]ut|[Ss]o|[Tt]hen)\s+)?", self.text[start:limit]).end()
        start += lead
        rest = self.text[start:limit]
        if not rest:
            return None
        pronoun = _PRONOUN_RE.match(rest)
        if pronoun and not re.match(r"[\w’'-]", rest[pronoun.end():pronoun.end() + 1]):
            return self.resolve_pronoun(pronoun.group(), start), start + pronoun.end()
        article = re.match(r"[Tt]he\s+", rest)
        name_start = start + (article.end() if article else 0)
        mention = self._mention_at.get(name_start)
        first_word = rest.split()[0].lower()
        if mention and mention.end <= limit and first_word not in _GENERIC_NOUNS \
                and not _POSSESSIVE_RE.match(self.text, mention.end):
            end = mention.end
            appositive = _APPOSITIVE_RE.match(self.text, end, limit)
            if appositive:
                end = appositive.end() + (self.text[appositive.end():appositive.end() + 1] == ",")
            joint = _JOINT_SUBJECT_RE.match(self.text, mention.end, limit)
            if joint:
                return _NOBODY, joint.end()  # "Blinken and Lavrov said": no one person's words
            return self.speaker_for(mention), end
        if article:
            role = re.match(rf"(?:[\w.’']+[ ]){{0,2}}?{_ROLE_CORE}\b", self.text[name_start:limit])
            if role and not re.match(r"\s*\w", self.text[name_start + role.end():limit]):
                return self._person_with_role(role.group()), name_start + role.end()
        phrase = rest if whole else re.match(r"[^,.;!?—–]*", rest).group().rstrip()
        if whole:  # "his father, Eric Oakes": a short description, then the name in apposition
            described = re.match(r"[^,]{1,40},\s*", rest)
            named = described and self._mention_at.get(start + described.end())
            if named and named.end == limit and self.speaker_for(named).is_person:
                return self.speaker_for(named), limit
        if self._looks_generic(phrase):
            return self._organisation_in(start, start + len(phrase)), start + len(phrase)
        return None

    def _person_with_role(self, role_phrase: str) -> _Speaker:
        """"the secretary of state" → the one person the article gives that role, else nobody."""
        name = self.people.with_role(role_phrase)
        if name is None:
            return _NOBODY
        return _Speaker(name, self.people.roles[name], True, self.people.genders[name])

    @staticmethod
    def _looks_generic(phrase: str) -> bool:
        """"officials", "the ministry", "a spokesperson for the company": an unnamed speaker."""
        words = [w.lower().strip(",") for w in phrase.split()]
        if not 1 <= len(words) <= 8 or _SPEECH_VERB_RE.search(phrase):
            return False
        if any(w in {"he", "she", "it", "they", "we", "i", "who", "which"} for w in words):
            return False
        return words[0] in _DETERMINERS or any(w in _GENERIC_NOUNS for w in words)

    def _organisation_in(self, start: int, end: int) -> _Speaker:
        """"a State Department spokesperson" → State Department; persons inside never speak here."""
        for mention in self._mentions_between(start, end):
            if _is_organisation(mention.name):
                return _Speaker(mention.name)
        return _NOBODY

    def subject_before_verb(self, region_start: int, verb_start: int) -> _Speaker | None:
        """Who is the subject of the speech verb at ``verb_start``, looking back to ``region_start``."""
        region = self.text[region_start:verb_start]
        phrase_end = region_start + len(region) - len(_TRAILING_FILLERS_RE.search(region).group())
        mentions = self._mentions_between(region_start, phrase_end)
        for mention in reversed(mentions):  # "Brown, Chicago's superintendent of police, said"
            appositive = _APPOSITIVE_RE.match(self.text, mention.end, verb_start)
            if appositive and re.fullmatch(rf",(?:\s+{_FILLER})*\s*", self.text[appositive.end():verb_start]):
                return self.speaker_for(mention)
        phrase_start = max(region_start, self.text.rfind(",", region_start, phrase_end) + 1)
        if phrase_start < phrase_end:  # the words right before the verb: "Blinken said", "he told"
            parsed = self.parse_subject(phrase_start, phrase_end, whole=True)
            if parsed and not self.text[parsed[1]:phrase_end].strip(" ,"):
                return parsed[0]
        for mention in mentions:
            speaker = self.speaker_for(mention)
            # Lone unknown words ("Chicago", "Reporters") are too often not the speaker.
            if (speaker.is_person or _is_organisation(mention.name)) and self._is_subject_position(mention):
                if re.match(r"\s+(?:and|&)\s", self.text[mention.end:verb_start]):
                    return _NOBODY  # "Blinken and Lavrov said": a joint statement
                return speaker
        parsed = self.parse_subject(region_start, verb_start, whole=False)
        return parsed[0] if parsed else None

    # -- attribution --------------------------------------------------------------------------

    def _clause_start(self, quote: _RawQuote) -> int:
        """Where the words introducing a quote can begin: its sentence, after any earlier quote."""
        start = self.sentence_start(quote.open_mark)
        for other in self.quotes:
            if other.close_mark is not None and start <= other.close_mark < quote.open_mark:
                start = other.close_mark + 1
        return start

    def attribute_after(self, quote: _RawQuote) -> _Attribution | None:
        """“…,” Blinken said. / “…,” said Blinken. / “…”, according to the ministry."""
        if quote.close_mark is None:
            return None
        limit = self.paragraphs[quote.paragraph][1]
        next_mark = _QUOTE_MARK_RE.search(self.text, quote.close_mark + 1, limit)
        limit = next_mark.start() if next_mark else limit
        lead = _ATTRIBUTION_LEAD_RE.match(self.text, quote.close_mark + 1, limit)
        # A quote ending in a full stop ends its sentence; what follows is not its attribution.
        last_char = self.text[quote.start:quote.end].rstrip("'’)]")[-1:]  # “… needs a Willie,'”
        if last_char not in tuple(",?!—–-…:") and not lead.group(1):
            return None
        body = lead.end()
        according = _ACCORDING_TO_RE.match(self.text, body, limit)
        inverted = _INVERTED_VERB_RE.match(self.text, body, limit)
        if according or inverted:
            parsed = self.parse_subject((according or inverted).end(), limit, whole=False)
            return _Attribution(parsed[0], True) if parsed else None
        verb = _SPEECH_VERB_RE.search(self.text, body, min(limit, body + 160))
        if not verb:
            return None
        phrase = self.text[body:verb.start()]
        phrase_end = body + len(phrase) - len(_TRAILING_FILLERS_RE.search(phrase).group())
        parsed = self.parse_subject(body, phrase_end, whole=True)
        if parsed and not self.text[parsed[1]:phrase_end].strip(" ,"):
            return _Attribution(parsed[0], True)
        return None

    def attribute_before(self, quote: _RawQuote) -> _Attribution | None:
        """Blinken said: “…” / Blinken told reporters that “…” / According to Blinken, “…”."""
        clause_start = self._clause_start(quote)
        according = list(_ACCORDING_TO_RE.finditer(self.text, clause_start, quote.open_mark))
        if according:
            limit = quote.open_mark
            while limit > according[-1].end() and self.text[limit - 1] in " ,:":
                limit -= 1
            parsed = self.parse_subject(according[-1].end(), limit, whole=True)
            if parsed and not self.text[parsed[1]:limit].strip(" ,"):
                return _Attribution(parsed[0], True)
        verbs = self._active_speech_verbs(clause_start, quote.open_mark)
        if not verbs:
            return None
        tail = self.text[verbs[-1].end():quote.open_mark]
        short_tail = _VERB_TAIL_RE.fullmatch(tail)
        # "told CNN that ever since the start of the war, “…”": a longer reported-speech lead-in.
        that_tail = re.search(r"\bthat\b", tail) and len(tail.split()) <= 20 and not re.search(r"[;:—–]", tail)
        if not (short_tail or that_tail):
            return None
        speaker = self.subject_before_verb(self._last_clause(clause_start, verbs[-1].start()), verbs[-1].start())
        if speaker is None:
            speaker = self.subject_before_verb(clause_start, verbs[-1].start())
        adjacent = bool(short_tail) and not short_tail.group("words").strip()
        return _Attribution(speaker, adjacent) if speaker else None

    def _active_speech_verbs(self, start: int, end: int) -> list[re.Match[str]]:
        """Speech verbs in [start, end) whose subject speaks: not "when asked", "was told"."""
        verbs = []
        for verb in _SPEECH_VERB_RE.finditer(self.text, start, end):
            word_before = re.search(r"(\w*)\W*$", self.text[max(start, verb.start() - 20):verb.start()]).group(1)
            if word_before.lower() not in _PASSIVE_MARKERS:
                verbs.append(verb)
        return verbs

    def _last_clause(self, start: int, end: int) -> int:
        """Start of the last clause before ``end``: "…, although Biden used…" → "Biden used…"."""
        breaks = list(_CLAUSE_BREAK_RE.finditer(self.text, start, end))
        return breaks[-1].end() if breaks else start

    def attribute_lead_in(self, quote: _RawQuote) -> _Attribution | None:
        """Blinken said the talks were useful. “…” — the sentence before names the speaker."""
        sentence_start = self.sentence_start(quote.open_mark)
        paragraph_start, _ = self.paragraphs[quote.paragraph]
        if self.text[sentence_start:quote.open_mark].strip():
            return None
        if sentence_start > paragraph_start:
            region = (self.sentence_start(sentence_start - 1), sentence_start)
        elif quote.paragraph and self.text[self.paragraphs[quote.paragraph - 1][1] - 1] == ":":
            end = self.paragraphs[quote.paragraph - 1][1]
            region = (self.sentence_start(end - 1), end)
        else:
            return None
        if _QUOTE_MARK_RE.search(self.text, *region):
            return None
        clause_start = self._last_clause(*region)
        verbs = self._active_speech_verbs(clause_start, region[1])
        speaker = self.subject_before_verb(clause_start, verbs[0].start()) if verbs else None
        return _Attribution(speaker, False) if speaker else None

    def attribute_dash_line(self, quote: _RawQuote) -> _Attribution | None:
        """A paragraph that is only a quote, signed on the next line:
        “I finally started talking to a therapist.” / -- Professional tennis player Naomi Osaka, …"""
        paragraph_start, paragraph_end = self.paragraphs[quote.paragraph]
        if quote.close_mark is None or quote.paragraph + 1 >= len(self.paragraphs):
            return None
        before, after = self.text[paragraph_start:quote.open_mark], self.text[quote.close_mark + 1:paragraph_end]
        if before.strip() or after.strip(" .,"):
            return None
        next_start, next_end = self.paragraphs[quote.paragraph + 1]
        dash = _SIGNATURE_DASH_RE.match(self.text, next_start, next_end)
        parsed = self.parse_subject(dash.end(), next_end, whole=False) if dash else None
        return _Attribution(parsed[0], True) if parsed and parsed[0].name else None

    def _someone_else_between(self, earlier: _RawQuote, later: _RawQuote) -> bool:
        return any(earlier.end < e.position < later.start and e.speaker.name != earlier.speaker.name
                   for e in self.events)

    def _propagate(self, quotes: list[_RawQuote]) -> None:
        """Unattributed quotes take the speaker of the previous quote in their paragraph, or of
        another part of the same multi-paragraph quote, until nothing changes."""
        changed = True
        while changed:
            changed = False
            for earlier, later in zip(quotes, quotes[1:]):
                if (later.speaker is None and earlier.speaker is not None
                        and earlier.paragraph == later.paragraph
                        and not self._someone_else_between(earlier, later)):
                    later.speaker, changed = earlier.speaker, True
            chain_speakers = {q.chain: q.speaker for q in quotes if q.speaker is not None}
            for quote in quotes:
                if quote.speaker is None and quote.chain in chain_speakers:
                    quote.speaker, changed = chain_speakers[quote.chain], True

    def attributed_quotes(self) -> list[_RawQuote]:
        for quote in self.quotes:
            after, before = self.attribute_after(quote), self.attribute_before(quote)
            # "Tagholm argued that “…”, said The Times": Tagholm's words in The Times's report.
            if after and before and before.adjacent and before.speaker.is_person and not after.speaker.is_person:
                after = None
            attribution = after or before or self.attribute_lead_in(quote) or self.attribute_dash_line(quote)
            if attribution:
                quote.speaker, quote.adjacent_attribution = attribution.speaker, attribution.adjacent
                self._add_event(quote.end, attribution.speaker)
        quotes = [q for q in self.quotes
                  if q.adjacent_attribution or _word_count(self.text[q.start:q.end]) >= _MIN_QUOTE_WORDS]
        self._propagate(quotes)
        return quotes


# ---------------------------------------------------------------------------------------------
# Public API


def find_quotes(article: Article) -> list[Quote]:
    """Direct quotations in ``article`` in reading order; ``article.text[q.start:q.end] == q.text``."""
    reader = _ArticleReader(article)
    quotes = []
    for raw in reader.attributed_quotes():
        speaker = raw.speaker or _NOBODY
        quotes.append(Quote(article.id, raw.start, raw.end, article.text[raw.start:raw.end],
                            speaker.name, speaker.role if speaker.name else ""))
    return quotes


def _normalise(phrase: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces, no edge punctuation."""
    decomposed = unicodedata.normalize("NFKD", phrase.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(plain.split()).strip(" ?!,;:\"“”")


_ROLE_WORDS = {w for core in _ROLE_CORES for w in core.split()} | set(_ROLE_ABBREVIATIONS.values())
_QUERY_PREFIX_WORDS = _ROLE_WORDS | set(_NATION_OF) | {"the", "former", "mr.", "mrs.", "ms.", "dr.", "mr",
                                                      "mrs", "ms", "dr", "miss", "sir"}


def _name_matches(query: str, speaker: str) -> bool:
    """"blinken", "antony blinken", "secretary blinken" all name "Antony Blinken"; "dong" names
    "Dong Hong" (family name first).  Never a different first name: "jill biden" is not "Joe Biden"."""
    query_tokens = re.sub(r"'s$", "", _normalise(query)).split()
    while len(query_tokens) > 1 and query_tokens[0] in _QUERY_PREFIX_WORDS:
        query_tokens = query_tokens[1:]
    speaker_tokens = [t for t in _normalise(speaker).split() if t not in ("jr.", "sr.", "ii", "iii", "iv")]
    width = len(query_tokens)
    if not query_tokens or width > len(speaker_tokens):
        return False
    if speaker_tokens[-width:] == query_tokens:
        return True
    return speaker_tokens[:width] == query_tokens and not _is_organisation(speaker)  # not "White" → "White House"


def _role_parts(phrase: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """"the Russian foreign minister" → ({"russia"}, ("foreign", "minister"))."""
    words = [_ROLE_ABBREVIATIONS.get(w, w) for w in _normalise(phrase).split() if w not in ("the", "a", "an")]
    nations, core = set(), []
    index = 0
    while index < len(words):
        pair, word = " ".join(words[index:index + 2]), re.sub(r"'s$", "", words[index])
        if pair in _NATION_OF:
            nations.add(_NATION_OF[pair])
            index += 2
            continue
        if word in _NATION_OF:
            nations.add(_NATION_OF[word])
        else:
            core.append(word)
        index += 1
    return frozenset(nations), tuple(core)


def _role_matches(query: str, role: str) -> bool:
    """A role named in a question fits a speaker's role; nationality counts only when asked."""
    query_nations, query_core = _role_parts(query)
    role_nations, role_core = _role_parts(role)
    if not query_core or not re.search(rf"(?:^|\s){_ROLE_CORE}$", " ".join(query_core)):
        return False
    if query_nations and not query_nations & role_nations:
        return False
    width = len(query_core)
    return any(role_core[i:i + width] == query_core for i in range(len(role_core) - width + 1))


def speaker_matches(query_name: str, quote: Quote) -> bool:
    """Whether a name or role from a question ("Blinken", "the secretary of state") is the quote's speaker."""
    if not quote.speaker or not query_name.strip():
        return False
    return _name_matches(query_name, quote.speaker) or bool(quote.role and _role_matches(query_name, quote.role))


def resolve_speaker(name_or_role: str, quotes: Sequence[Quote]) -> tuple[str, ...]:
    """The speakers in ``quotes`` that ``name_or_role`` can refer to, most quoted first."""
    counts = Counter(q.speaker for q in quotes if speaker_matches(name_or_role, q))
    return tuple(name for name, _ in counts.most_common())


_SAY_VERBS = (r"say|said|tell|told|think|describe|described|comment|respond|responded|react|reacted|"
              r"mean|meant|write|wrote|tweet|tweeted|argue|argued|claim|claimed|warn|warned|explain|"
              r"explained|predict|predicted|add|added|announce|announced|reveal|revealed|"
              r"have to say|had to say")
_SAY_QUESTION_RE = re.compile(
    rf"^(?:what|how)\s+(?:did|does|do|has|have|had|will|would)\s+(?P<speaker>.+?)\s+"
    rf"(?:{_SAY_VERBS})\b(?P<rest>.*)$",
    re.IGNORECASE)
_REMARKS_QUESTION_RE = re.compile(
    r"^(?:what\s+(?:are|were|is|was)\s+)?(?:quotes\s+(?:from|by)\s+)?(?P<speaker>.+?)(?:['’]s)?\s+"
    r"(?:comments?|remarks?|quotes?|statements?|words|views?|thoughts?)"
    r"(?:\s+(?:on|about|regarding|concerning|of|over)\s+(?P<rest>.+))?$",
    re.IGNORECASE)
_AUDIENCE_RE = re.compile(r"^(?:reporters|journalists|the press|the media|us|them|him|her|cnn|congress|"
                          r"lawmakers|the nation|the public)\b\s*", re.IGNORECASE)
_TOPIC_PREPOSITION_RE = re.compile(r"^(?:about|on|regarding|concerning|of|over|in response to|to)\b\s*",
                                   re.IGNORECASE)


def parse_say_question(question: str) -> tuple[str, str] | None:
    """("Blinken", "Article 5") for "what did Blinken say about Article 5?"; None for other questions."""
    text = " ".join(question.strip().rstrip("?.! ").split())
    match = _SAY_QUESTION_RE.match(text) or _REMARKS_QUESTION_RE.match(text)
    if not match:
        return None
    speaker = re.sub(r"^the\s+", "", match.group("speaker"), flags=re.IGNORECASE)
    if not speaker or len(speaker.split()) > 6:
        return None
    topic = _AUDIENCE_RE.sub("", (match.group("rest") or "").strip())
    topic = _TOPIC_PREPOSITION_RE.sub("", topic)
    topic = re.sub(r"^(?:the|a|an)\s+", "", topic, flags=re.IGNORECASE)
    return speaker, topic.strip()


_CONTINENTS_AND_REGIONS = {"Europe", "Asia", "Africa", "America", "Americas", "Antarctica", "Oceania", "Arctic",
                           "Balkans", "Caribbean", "Baltics", "Scandinavia"}


def names_a_role(phrase: str) -> bool:
    """Whether ``phrase`` is a role a question can name a speaker by: "the secretary of state"."""
    _, core = _role_parts(phrase)
    return bool(core) and bool(re.fullmatch(rf"(?:.*\s)?{_ROLE_CORE}", " ".join(core)))


def looks_like_person_name(phrase: str) -> bool:
    """Whether ``phrase`` reads as a person's name ("Lavrov", "Sergey Lavrov", "Mr. Blinken") rather than
    a place, organisation, acronym or common noun ("Ukraine", "Europe", "NATO", "sanctions")."""
    tokens = [t for t in phrase.strip(" ?!.,").split() if t not in _HONORIFICS]
    if not 1 <= len(tokens) <= 4 or _is_organisation(" ".join(tokens)):
        return False
    for token in tokens:
        bare = re.sub(r"['’]s$", "", token)
        if (not re.fullmatch(rf"{_UPPER}{_LOWER}[\w'’-]*|{_UPPER}\.", bare)
                or bare in _PLACE_WORDS or bare in _CONTINENTS_AND_REGIONS or bare in _NOT_NAME_WORDS
                or bare.casefold() in _NATION_OF):
            return False
    return True
