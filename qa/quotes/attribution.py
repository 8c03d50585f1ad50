"""The attribution rules: who said each quotation of an article, read off the words around it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.quotes.continuation import propagate, whole_paragraph, word_count
from qa.quotes.layout import QUOTATION_RULES
from qa.quotes.lexicon import (
    ACCORDING_TO_RE,
    ATTRIBUTION_LEAD_RE,
    CLAUSE_BREAK_RE,
    GENERIC_NOUNS,
    INVERTED_VERB_RE,
    PASSIVE_MARKERS,
    SIGNATURE_DASH_RE,
    SPEECH_VERB_RE,
    SPOKESPERSON_RE,
    TRAILING_FILLERS_RE,
    VERB_TAIL_RE,
    WORD_RE,
)
from qa.quotes.people import NOBODY
from qa.quotes.reader import ArticleReader
from qa.quotes.framing import framing_span
from qa.types import FoundQuotes, PersonSeen, Quote

if TYPE_CHECKING:
    from qa.quotes.layout import RawQuote
    from qa.quotes.people import Speaker
    from qa.types import Article

# Bump when find_quotes changes what it returns: indexes re-extract their stored quotes (no re-embedding).
EXTRACTOR_VERSION = 7  # 2: quotes signed on the next line ("-- Naomi Osaka"); 3: framings, vectors, people;
# 4: a generic noun as a named role ("spokesperson Zhao Lijian said"), a sentence's sole subject;
# 5: speakers a paragraph away, descriptions ("the 24-year-old"), initials ("the CDC"), "according to X, …";
# 6: descriptions before a name ("said London engineer Matt Stockdale"), organisations through a spokesperson,
# a family name as the person so named before it, "Beshear's office", "accused Putin of being “…”"
# 7: photo captions skipped between paragraphs, a speaker described at length ("Dr. Jo Doe, a …, …, said"),
# "his attorney Jo Doe said", "Dec. 31" inside a sentence, "the Iowa DNR", "…that the data can say …, “…”",
# "including author Jo Doe, who …" as the antecedent of a pronoun, "Her advice to parents: “…”", "In Doe’s words, “…”",
# "“…,” NOAA reports", "said CNN commentator Jo Doe of the runoff", "Mayor Jo Doe: “…”" (and transcripts),
# "Sociologist Jo Doe said", "a clip of Jo Doe saying, “…”"
_MIN_QUOTE_WORDS = 4  # shorter quoted fragments are terms ("draft treaty"), not quotations
_TITLE_WORDS = 10
_BARE_ATTRIBUTION_RE = re.compile(
    r"[ ]+(?P<subject>(?:[A-Z][\w.’'-]*[ ]){0,3}[A-Z][\w.’'-]*|he|she)[ ]+(?:said|says|wrote|writes|added|adds)\.")
_PASSIVE_AGENT_RE = re.compile(
    r"\b(?:described|called|characteri[sz]ed|label+ed|branded|dubbed|hailed|quoted)[ ]+by[ ]+"
    r"(?P<agent>[^,;:“”\"]{2,60}?)[ ]+as[ ]*$")
# Right after a quote, "states", "notes" and "reports" are verbs ("“…,” a FEMA blog post states."), as elsewhere
# they are not always ("member states", "the notes", "news reports").
_AFTER_QUOTE_VERB_RE = re.compile(rf"{SPEECH_VERB_RE.pattern}|\b(?:states|notes|reports)\b")
_MODAL_BEFORE_RE = re.compile(r"\b(?:can|could|may|might|must|should|will|would|cannot)(?:[ ]+[a-z]+ly)?[ ]+$")
_POSSESSED_WORDS_RE = re.compile(
    r"\b(?:(?P<pronoun>[Hh]is|[Hh]er)|(?P<owner>[A-Z][\w-]*)['’]s)[ ]+(?:[a-z]+[ ]+){0,2}(?:advice|message|response|"
    r"answer|reply|verdict|words|explanation|warning)\b(?:[^“”\".;:]{0,80}:|(?<=words),)[ ]*$")
_CHARACTERISING_RE = re.compile(r"\b(?:accused|called|described|dubbed|labell?ed|branded|praised|blasted|"
                                r"slammed|critici[sz]ed|condemned|denounced|hailed)\b")


@dataclass(frozen=True)
class _Attribution:
    speaker: Speaker
    adjacent: bool


def find_quotes(article: Article) -> list[Quote]:
    """Direct quotations in ``article`` in reading order; ``article.text[q.start:q.end] == q.text``."""
    return list(read_quotes(article).quotes)


def read_quotes(article: Article) -> FoundQuotes:
    """The quotations of ``article`` with their framings, and the people it names with the role it gives
    them (a quoted speaker's role as given where they are quoted, if the article names none elsewhere)."""
    reader = ArticleReader(article)
    quotes = []
    for raw in _attributed_quotes(reader):
        speaker = raw.speaker or NOBODY
        quotes.append(Quote(article.id, raw.start, raw.end, article.text[raw.start:raw.end],
                            speaker.name, speaker.role if speaker.name else ""))
    quoted: dict[str, int] = {}
    for quote in quotes:
        if quote.speaker:
            quoted[quote.speaker] = quoted.get(quote.speaker, 0) + 1
    roles = dict(reader.people.roles)
    for quote in quotes:
        if quote.speaker and not roles.get(quote.speaker):
            roles[quote.speaker] = quote.role
    people = tuple(PersonSeen(name, role, quoted.get(name, 0)) for name, role in roles.items())
    frames = tuple(framing_span(article.text, quote.start, quote.end) for quote in quotes)
    return FoundQuotes(tuple(quotes), frames, people)


def _clause_start(reader: ArticleReader, quote: RawQuote) -> int:
    """Where the words introducing a quote can begin: its sentence, after any earlier quote."""
    start = reader.sentence_start(quote.open_mark)
    for other in reader.quotes:
        if other.close_mark is not None and start <= other.close_mark < quote.open_mark:
            start = other.close_mark + 1
    return start


def _attribute_after(reader: ArticleReader, quote: RawQuote) -> _Attribution | None:
    """“…,” Blinken said. / “…,” said Blinken. / “…”, according to the ministry."""
    if quote.close_mark is None:
        return None
    limit = reader.paragraphs[quote.paragraph][1]
    next_mark = QUOTATION_RULES.mark_pattern.search(reader.text, quote.close_mark + 1, limit)
    limit = next_mark.start() if next_mark else limit
    lead = ATTRIBUTION_LEAD_RE.match(reader.text, quote.close_mark + 1, limit)
    # A quote ending in a full stop ends its sentence; what follows is not its attribution.
    last_char = reader.text[quote.start:quote.end].rstrip("'’)]")[-1:]  # “… needs a Willie,'”
    if last_char not in tuple(",?!—–-…:") and not lead.group(1):
        # “…tradition.” Alito wrote. — a full stop where a comma belongs, before a bare "X said."
        bare = _BARE_ATTRIBUTION_RE.match(reader.text, quote.close_mark + 1, limit)
        parsed = bare and reader.parse_subject(bare.start("subject"), bare.end("subject"), whole=True)
        return _Attribution(parsed[0], True) if parsed and parsed[1] >= bare.end("subject") else None
    body = lead.end()
    according = ACCORDING_TO_RE.match(reader.text, body, limit)
    inverted = INVERTED_VERB_RE.match(reader.text, body, limit)
    if according or inverted:
        parsed = reader.parse_subject((according or inverted).end(), limit, whole=False)
        return _Attribution(parsed[0], True) if parsed else None
    verb = _AFTER_QUOTE_VERB_RE.search(reader.text, body, min(limit, body + 160))
    if not verb:
        return None
    phrase = reader.text[body:verb.start()]
    phrase_end = body + len(phrase) - len(TRAILING_FILLERS_RE.search(phrase).group())
    parsed = reader.parse_subject(body, phrase_end, whole=True)
    if parsed and not reader.text[parsed[1]:phrase_end].strip(" ,"):
        return _Attribution(parsed[0], True)
    described = reader.subject_described_at_length(body, verb.start())
    return _Attribution(described, True) if described else None


def _attribute_before(reader: ArticleReader, quote: RawQuote) -> _Attribution | None:
    """Blinken said: “…” / Blinken told reporters that “…” / According to Blinken, “…”."""
    clause_start = _clause_start(reader, quote)
    according = list(ACCORDING_TO_RE.finditer(reader.text, clause_start, quote.open_mark))
    if according:
        limit = quote.open_mark
        while limit > according[-1].end() and reader.text[limit - 1] in " ,:":
            limit -= 1
        parsed = reader.parse_subject(according[-1].end(), limit, whole=True)
        if parsed and not reader.text[parsed[1]:limit].strip(" ,"):
            return _Attribution(parsed[0], True)
        # "According to the agency, the vaccine “still protects …”": the source of the whole clause
        comma = reader.text.find(",", according[-1].end(), quote.open_mark)
        opens_clause = re.search(r"(?:^|[,;]\s+(?:and|but)\s+|^(?:And|But)\s+)$",
                                 reader.text[clause_start:according[-1].start()])
        parsed = reader.parse_subject(according[-1].end(), comma, whole=True) if comma > 0 and opens_clause else None
        if parsed and parsed[0].name and not reader.text[parsed[1]:comma].strip() \
                and not SPEECH_VERB_RE.search(reader.text, comma, quote.open_mark):
            return _Attribution(parsed[0], False)
    agent = _PASSIVE_AGENT_RE.search(reader.text, clause_start, quote.open_mark)
    if agent:  # "was described by Reuters as “…”"
        parsed = reader.parse_subject(agent.start("agent"), agent.end("agent"), whole=True)
        if parsed and parsed[0].name and parsed[1] >= agent.end("agent"):
            return _Attribution(parsed[0], True)
    verbs = _active_speech_verbs(reader, clause_start, quote.open_mark)
    # "Doe told CNN that although the data can accurately say who has antibodies, “…”": what someone could
    # say, inside another's reported words, is no attribution
    verbs = verbs[:1] + [v for v in verbs[1:]
                         if not _MODAL_BEFORE_RE.search(reader.text, max(0, v.start() - 40), v.start())]
    if not verbs:
        return None
    # "Among analysts, said Grohowski, “…”": the verb before its subject, who ends the clause, the quote
    # right after; not "James said Trump “…”", where the name after the verb is what is spoken of
    inverted = re.match(r"[ ]+(?=[A-Z])", reader.text[verbs[-1].end():quote.open_mark]) and \
        reader.parse_subject(verbs[-1].end(), quote.open_mark, whole=True)
    if inverted and inverted[0].name and re.fullmatch(r"[ ]*,[ ]*", reader.text[inverted[1]:quote.open_mark]) \
            and not (reader.subject_before_verb(clause_start, verbs[-1].start()) or NOBODY).name:
        return _Attribution(inverted[0], True)
    tail = reader.text[verbs[-1].end():quote.open_mark]
    short_tail = VERB_TAIL_RE.fullmatch(tail)
    # "told CNN that ever since the start of the war, “…”": a longer reported-speech lead-in.
    that_tail = re.search(r"\bthat\b", tail) and len(tail.split()) <= 20 and not re.search(r"[;:—–]", tail)
    if not (short_tail or that_tail):
        return None
    verb = verbs[-1]
    # "a clip of manager Jo Doe saying, “…”", "with Rock saying, “…”": the person right before the participle;
    # not "she quoted Martin Luther King saying she had “…”", her own words
    doer = next((m for m in reader.mentions_between(clause_start, verb.start())
                 if re.fullmatch(r"[ ]+", reader.text[m.end:verb.start()])), None)
    quoting = doer and re.search(r"\b(?:quoted|quoting|cited|citing)\b", reader.text[clause_start:doer.start])
    if verb.group().endswith("ing") and doer and reader.speaker_for(doer).is_person and not quoting:
        return _Attribution(reader.speaker_for(doer), bool(short_tail) and not short_tail.group("words").strip())
    if verb.group().endswith("ing") and len(verbs) > 1:
        verb = verbs[-2]  # "Gov. Phil Murphy announced, saying the state needed to “…”": the subject of the finite verb
    speaker = reader.subject_before_verb(_last_clause(reader, clause_start, verb.start()), verb.start())
    if speaker is None:
        speaker = reader.subject_before_verb(clause_start, verb.start())
    adjacent = bool(short_tail) and not short_tail.group("words").strip()
    return _Attribution(speaker, adjacent) if speaker else None


def _active_speech_verbs(reader: ArticleReader, start: int, end: int) -> list[re.Match[str]]:
    """Speech verbs in [start, end) whose subject speaks: not "when asked", "was told"."""
    verbs = []
    for verb in SPEECH_VERB_RE.finditer(reader.text, start, end):
        word_before = re.search(r"(\w*)\W*$", reader.text[max(start, verb.start() - 20):verb.start()]).group(1)
        if word_before.lower() not in PASSIVE_MARKERS:
            verbs.append(verb)
    return verbs


def _last_clause(reader: ArticleReader, start: int, end: int) -> int:
    """Start of the last clause before ``end``: "…, although Biden used…" → "Biden used…"."""
    breaks = list(CLAUSE_BREAK_RE.finditer(reader.text, start, end))
    return breaks[-1].end() if breaks else start


def _attribute_lead_in(reader: ArticleReader, quote: RawQuote) -> _Attribution | None:
    """Blinken said the talks were useful. “…” — the sentence before names the speaker."""
    sentence_start = reader.sentence_start(quote.open_mark)
    paragraph_start, _ = reader.paragraphs[quote.paragraph]
    if reader.text[sentence_start:quote.open_mark].strip():
        return None
    if sentence_start > paragraph_start:
        region = (reader.sentence_start(sentence_start - 1), sentence_start)
    elif quote.paragraph and reader.text[reader.paragraphs[quote.paragraph - 1][1] - 1] == ":":
        end = reader.paragraphs[quote.paragraph - 1][1]
        region = (reader.sentence_start(end - 1), end)
    else:
        return None
    # a quoted term in the lead-in sentence is no quotation of its own: "Gena said she was only “clean” twice."
    inside = [q for q in reader.quotes if region[0] <= q.open_mark and q.close_mark is not None
              and q.close_mark < region[1] and word_count(reader.text[q.start:q.end]) < _MIN_QUOTE_WORDS]
    if len(QUOTATION_RULES.mark_pattern.findall(reader.text, *region)) != 2 * len(inside):
        return None
    clause_start = _last_clause(reader, *region)
    verbs = [v for v in _active_speech_verbs(reader, clause_start, region[1])
             if not inside or v.start() < inside[0].open_mark]
    speaker = reader.subject_before_verb(clause_start, verbs[0].start()) if verbs else None
    if speaker is None and verbs and reader.text[clause_start:verbs[-1].start()].rstrip().endswith(","):
        # "There’s something about this team, said Tom Hamilton on ESPN. “…”": the speaker after the verb
        parsed = reader.parse_subject(verbs[-1].end(), region[1], whole=False)
        speaker = parsed[0] if parsed and parsed[0].is_person and parsed[0].name else None
    return _Attribution(speaker, False) if speaker else None


def _attribute_possessed_words(reader: ArticleReader, quote: RawQuote) -> _Attribution | None:
    """Her advice to other parents: “…” / Okafor's answer was simple: “…” / In Okafor's words, “…”: the words of
    whose advice or answer it is."""
    clause_start = _clause_start(reader, quote)
    owned = _POSSESSED_WORDS_RE.search(reader.text, clause_start, quote.open_mark)
    if not owned:
        return None
    if owned.group("pronoun"):
        speaker = reader.resolve_pronoun("he" if owned.group("pronoun").lower() == "his" else "she", owned.start())
    else:
        mention = next((m for m in reader.mentions_between(clause_start, owned.end("owner"))
                        if m.end == owned.end("owner")), None)
        speaker = reader.speaker_for(mention) if mention else NOBODY
    return _Attribution(speaker, False) if speaker.name and speaker.is_person else None


def _attribute_name_colon(reader: ArticleReader, quote: RawQuote) -> _Attribution | None:
    """A paragraph that opens with a person's name and a colon, as in a transcript: Mayor Jo Doe: “…”. The name
    carries a role or title, or is the short form of a name given elsewhere ("Doe: “…”"), not a team's name
    before its grade ("Indianapolis Colts: “Feels” like …"); or the paragraph before is only the name and
    the colon ("Jo Doe:"), as transcripts set it."""
    paragraph_start = reader.paragraphs[quote.paragraph][0]
    mention = reader.mention_at.get(paragraph_start)
    name_end, own_line = quote.open_mark, False
    if quote.paragraph and mention is None and not reader.text[paragraph_start:quote.open_mark].strip():
        paragraph_start, name_end = reader.paragraphs[quote.paragraph - 1]
        mention, own_line = reader.mention_at.get(paragraph_start), True
    if mention is None or not re.fullmatch(r"[ ]*:[ ]*", reader.text[mention.end:name_end]):
        return None
    speaker = reader.speaker_for(mention)
    known = own_line or mention.role or mention.honorific or speaker.name != mention.name
    if speaker.name.split()[-1:] and speaker.name.split()[-1].lower() in GENERIC_NOUNS:  # "Trump Aide:"
        return None
    return _Attribution(speaker, True) if known and speaker.is_person and speaker.name else None


def _attribute_paragraph_before(reader: ArticleReader, quote: RawQuote) -> Speaker | None:
    """A paragraph that is only a quote, after a paragraph whose last sentence reports someone's words:
    "Okafor said the plan would fail. / “Nobody has asked the farmers.”" The speaker must be the subject of
    a speech verb outside any quotation of that sentence."""
    continued = any(other.chain == quote.chain and other.start < quote.start for other in reader.quotes)
    before = reader.paragraph_before(quote.paragraph)
    if before is None or continued or not whole_paragraph(reader, quote):
        return None
    end = reader.paragraphs[before][1]
    start = reader.sentence_start(end - 1)
    verbs = [v for v in _active_speech_verbs(reader, start, end) if not reader.inside_quote(v.start())]
    if not verbs:
        return None
    quoted_before = [q.close_mark + 1 for q in reader.quotes
                     if q.close_mark is not None and start <= q.close_mark < verbs[0].start()]
    clause_start = _last_clause(reader, max([start, *quoted_before]), verbs[0].start())
    speaker = reader.subject_before_verb(clause_start, verbs[0].start())
    return speaker if speaker is not None and speaker.name and speaker.is_person else None


def _attribute_dash_line(reader: ArticleReader, quote: RawQuote) -> _Attribution | None:
    """A paragraph that is only a quote, signed on the next line:
    “I finally started talking to a therapist.” / -- Professional tennis player Naomi Osaka, …"""
    paragraph_start, paragraph_end = reader.paragraphs[quote.paragraph]
    if quote.close_mark is None or quote.paragraph + 1 >= len(reader.paragraphs):
        return None
    before, after = reader.text[paragraph_start:quote.open_mark], reader.text[quote.close_mark + 1:paragraph_end]
    if before.strip() or after.strip(" .,"):
        return None
    next_start, next_end = reader.paragraphs[quote.paragraph + 1]
    dash = SIGNATURE_DASH_RE.match(reader.text, next_start, next_end)
    parsed = reader.parse_subject(dash.end(), next_end, whole=False) if dash else None
    return _Attribution(parsed[0], True) if parsed and parsed[0].name else None


def _attributed_quotes(reader: ArticleReader) -> list[RawQuote]:
    for quote in reader.quotes:
        after, before = _attribute_after(reader, quote), _attribute_before(reader, quote)
        # "Tagholm argued that “…”, said The Times": Tagholm's words in The Times's report.
        if after and before and before.adjacent and before.speaker.is_person and not after.speaker.is_person:
            after = None
        attribution = after or before or _attribute_possessed_words(reader, quote) or _attribute_name_colon(reader, quote) \
            or _attribute_lead_in(reader, quote) or _attribute_dash_line(reader, quote)
        if attribution:
            quote.speaker, quote.adjacent_attribution = attribution.speaker, attribution.adjacent
            reader.add_event(quote.end, attribution.speaker)
    quotes = [q for q in reader.quotes
              if (q.adjacent_attribution or word_count(reader.text[q.start:q.end]) >= _MIN_QUOTE_WORDS)
              and not _is_title(reader.text[q.start:q.end])]
    propagate(reader, quotes)
    for quote in quotes:
        if quote.speaker is None:
            quote.speaker = _attribute_sentence(reader, quote) or _attribute_paragraph_before(reader, quote)
    propagate(reader, quotes)  # what a fragment's sentence named goes on into the quotes after it
    return quotes


def _attribute_sentence(reader: ArticleReader, quote: RawQuote) -> Speaker | None:
    """A fragment worked into a sentence whose speaker the sentence names, after or around it: “destroyed
    more than a third” of the energy sector, President Volodymyr Zelensky told a conference. Only a person
    who is the subject of a speech verb of the same sentence, outside any quotation."""
    start = reader.sentence_start(quote.open_mark)
    after_quote = (quote.close_mark if quote.close_mark is not None else quote.end) + 1
    for verb in _active_speech_verbs(reader, start, reader.sentence_end(quote.end)):
        if quote.open_mark <= verb.start() < after_quote or reader.inside_quote(verb.start()):
            continue
        region_start = start
        if verb.start() >= after_quote:  # "…”, President Volodymyr Zelensky told": the words since the quote
            described = reader.subject_described_at_length(after_quote, verb.start())
            if described:
                return described
            region_start = max(after_quote, reader.text.rfind(",", after_quote, verb.start()) + 1)
            if not reader.text[region_start:verb.start()].strip():  # "…” with the joke, said engineer Jo Doe."
                parsed = reader.parse_subject(verb.end(), reader.sentence_end(verb.start()), whole=False)
                if parsed and parsed[0].is_person and parsed[0].name:
                    return parsed[0]
        speaker = reader.subject_before_verb(region_start, verb.start())
        # a person, or an organisation through its spokesperson: "a spokesperson for Novartis said it cannot “…”"
        if speaker is not None and speaker.name and (
                speaker.is_person or SPOKESPERSON_RE.search(reader.text, region_start, verb.start())):
            return speaker
    # "Poroshenko accused Putin of being “simply crazy”", "King, who called him “…”": the subject right before
    # a verb that characterises someone; not "dubbed “…” by The New Yorker"
    by_agent = re.match(r"\W*by\b", reader.text[after_quote:after_quote + 8])
    for verb in _CHARACTERISING_RE.finditer(reader.text, start, quote.open_mark):
        word_before = re.search(r"(\w*)\W*$", reader.text[start:verb.start()]).group(1)
        if by_agent or reader.inside_quote(verb.start()) or word_before.lower() in PASSIVE_MARKERS:
            continue
        speaker = reader.subject_right_before(start, verb.start())
        if speaker is not None and speaker.is_person and speaker.name:
            return speaker
    # No speech verb: the sentence's one person, as its subject, worked the words in ("Hinds thanked jurors
    # for “dutifully navigating …”", "Clark minced no words, “You have to be concerned …”").
    return reader.sole_subject(start, quote.open_mark)


def _is_title(text: str) -> bool:
    """A title in quotation marks, not anyone's words: “I Lived to Tell It All,” “He Stopped Loving Her Today.”
    It begins with a capital, every word of four letters or more is capitalised, and it is short: not “the end
    of August”."""
    words = WORD_RE.findall(text)
    long_words = [w for w in words if len(w) >= 4]
    return 2 <= len(words) <= _TITLE_WORDS and bool(long_words) and all(w[0].isupper() for w in long_words) \
        and not text.isupper() and not text[:1].islower()
