"""The word lists and regular expressions that find_quotes and the speaker matching read text with."""

from __future__ import annotations

import re
from typing import Callable, Sequence

_SPEECH_VERBS = (
    "pointed out", "points out", "went on", "goes on", "has alleged", "have alleged", "alleges",
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
    "reiterated", "confirmed", "lamented", "asserted", "asserts", "advises", "advised",
    "yelled", "shouted", "exclaimed", "screamed", "shared", "texted", "emailed", "messaged",
)  # ambiguous plurals ("states", "notes", "claims", "remarks") are left out on purpose

ROLE_CORES = (
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
    "supervisor", "member", "president pro tempore", "clerk", "administrator", "mp", "councilmember",
    "councilman", "councilwoman", "alderman", "alderwoman", "assemblyman", "assemblywoman",
    "director-general", "director general", "trooper", "sergeant", "sgt.", "pollster",
    "sociologist", "epidemiologist", "psychologist", "psychiatrist", "virologist", "physician", "surgeon",
    "strategist", "meteorologist", "pastor", "priest", "consultant",
)
# A word that makes a role another office: "the president" is not the vice president, "the coach" not an
# assistant coach, "the foreign minister" not a deputy foreign minister. ("Acting" is: the acting director
# holds the office.)
OTHER_OFFICE_WORDS = {"vice", "deputy", "assistant", "associate", "under", "lieutenant", "lt.", "lt"}
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}  # of a name, with or without a full stop: "Art Rooney II"
# Lower-case words inside a person's name: "Ayman al-Zawahiri", "Ursula von der Leyen", "Bill de Blasio".
NAME_PARTICLES = {"al", "bin", "ibn", "de", "da", "di", "du", "van", "von", "der", "den", "la", "le", "del",
                  "della", "dos", "das", "ter", "ten", "y", "el"}
HONORIFICS = {"Mr.": "m", "Mrs.": "f", "Ms.": "f", "Miss": "f", "Dr.": "", "Sir": "m", "Dame": "f"}
FEMALE_ROLE_WORDS = {"spokeswoman", "congresswoman", "chairwoman", "queen", "princess"}
MALE_ROLE_WORDS = {"spokesman", "congressman", "chairman", "king", "prince"}

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
NATION_OF = {alias: names[0] for names in _NATIONS for alias in names}
# Roles stored as the article abbreviates them ("Sen. Mitt Romney" → role "Sen."), and what they stand for.
ROLE_ABBREVIATIONS = {"sen.": "senator", "rep.": "representative", "gov.": "governor",
                      "gen.": "general", "prof.": "professor", "col.": "colonel", "capt.": "captain",
                      "sgt.": "sergeant",
                      # one office, written several ways: "the White House Covid-19 response coordinator"
                      "covid-19": "covid", "covid19": "covid", "coronavirus": "covid"}

# Capitalised words that cannot be part of a person's name.
NOT_NAME_WORDS = (
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
ORG_WORDS = set(
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
    "Tropical Program Programme Project Initiative Conservancy Society Academy Patrol".split()
)
# First words of multi-word place or group names ("New York", "Western European").
PLACE_FIRST_WORDS = set(
    "New Los Las San Santa St. Saint North South East West Northern Southern Eastern Western "
    "Central United Great Upper Lower Middle Greater Hong Sri Saudi Costa Puerto Tel Abu Buenos "
    "Sao São El Fort Palm Mount Cape Port Rio Kuala Wall Capitol Silicon".split()
) | {alias.title() for alias in NATION_OF}
# A state or country written right before a name: "…District of Illinois Joseph D. Fitzpatrick".
PLACE_WORDS = set(
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii "
    "Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan "
    "Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania "
    "Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming".split()
) | {alias.title() for alias in NATION_OF}
# Place words that are also family names: "Erika Washington", "David French", "Mike English".
PLACE_FAMILY_NAMES = {"Washington", "French", "English"}
PARTY_WORDS = {"Democrat", "Democrats", "Republican", "Republicans", "Independent", "Conservative", "Tory"}
GENERIC_NOUNS = set(
    "official officials spokesperson spokesman spokeswoman spokespeople aide aides source sources "
    "statement ministry department agency police authorities government company report analyst "
    "analysts expert experts critic critics resident residents witness witnesses lawmaker "
    "lawmakers researcher researchers scientist scientists prosecutor prosecutors investigator "
    "investigators organizer organizers officer officers administration office court study "
    "survey people group campaign firm leaders diplomats observers members filing release letter "
    "representatives family spokespersons".split()
)
DETERMINERS = set("a an the one two three several some many other another his her their its "
                  "this that these those senior top".split())
PRONOUN_GENDER = {"he": "m", "she": "f"}
ABBREVIATIONS = set("mr mrs ms dr sen rep gov gen lt col sgt st jr sr prof rev capt adm maj "
                    "mt no inc corp co ltd vs u.s u.k u.n e.u d.c jan feb aug sept oct nov dec".split())

# --- regular expressions ---------------------------------------------------------------------


def _letters(predicate: Callable[[str], bool]) -> str:
    """A character class of the Latin, Greek and Cyrillic letters that satisfy ``predicate``."""
    chars = (chr(c) for c in [*range(0x41, 0x530), *range(0x1E00, 0x1F00)])
    return "[" + re.escape("".join(c for c in chars if predicate(c))) + "]"


UPPER = _letters(str.isupper)
LOWER = _letters(str.islower)
_LETTER = r"[^\W\d_]"


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NAME_WORD = (rf"(?!(?:{'|'.join(NOT_NAME_WORDS)})\b)"
              rf"{UPPER}(?:['’]{UPPER})?{LOWER}{_LETTER}*(?:-{_LETTER}+)*")
_INITIAL = rf"(?!(?:U\.S|U\.K|U\.N|E\.U|D\.C)\.){UPPER}\.(?:{UPPER}\.)*"
# Names found in running text have never run on over "y" or "el": taking them would change what ingest stores.
_PARTICLE = rf"(?:{_alternation(sorted(NAME_PARTICLES - {'y', 'el'}))})"
_NAME = (rf"(?:{_INITIAL}[ ])*{_NAME_WORD}"
         rf"(?:[ ](?:{_PARTICLE}[ ]|&[ ])*(?:{_INITIAL}[ ])*{_NAME_WORD})*"
         r"(?:[ ](?:Jr\.|Sr\.|II|III|IV)(?!\w))?")
ROLE_CORE = rf"(?i:{_alternation(ROLE_CORES)})"
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
                rf"(?!(?:{'|'.join(NOT_NAME_WORDS)})\b){UPPER}{_LETTER}*(?:-[a-z]+)*(?:['’]s)?)")
# After a first known modifier, any content word may follow ("associate athletic director"); the
# first word must be known, so that "met foreign minister Lavrov" starts its title at "foreign".
_OPEN_MODIFIER = rf"(?!(?:{_alternation([*_FUNCTION_WORDS, *_SPEECH_VERBS])})\b)[a-z][a-z-]+"
_ROLE = (rf"(?:{_ROLE_PREMOD}[ ](?:(?:{_ROLE_PREMOD}|{_OPEN_MODIFIER})[ ]){{0,4}})?{ROLE_CORE}"
         rf"(?:[ ]of(?:[ ]the)?(?:[ ]{UPPER}{LOWER}+){{1,3}}?)?")  # lazy: "of Education" + "Miguel Cardona"
MENTION_RE = re.compile(  # only at the start of a word: not "Phone" in "iPhone", and far faster
    rf"(?<![\w’'.-])(?:(?P<role>{_ROLE})[ ]+)?(?:(?P<hon>{_alternation(list(HONORIFICS))})[ ]+)?"
    rf"(?P<name>{_NAME})"
)
# ", Russia's foreign minister," / ", a professor of economics at Yale," right after a name.
APPOSITIVE_RE = re.compile(r",[ ]+(?P<text>[^,.;!?“”\"\n]{1,80}?)(?=[,.;]|$)")
APPOSITIVE_ROLE_RE = re.compile(
    rf"(?!(?:who|whose|which|that|whom)\b)(?:(?:a|an|the)[ ])?"
    rf"(?:(?:{_ROLE_PREMOD}|[a-z'’-]+)[ ]){{0,4}}?{ROLE_CORE}"
    rf"(?:[ ](?:of|at|for|in|to)[ ](?:(?!said\b|says\b|told\b)[^,.;!?“”\"]){{1,50}})?"
)
SIGNATURE_DASH_RE = re.compile(r"(?:--|—|–)[ ]*")
SPEECH_VERB_RE = re.compile(rf"\b(?:{_alternation(_SPEECH_VERBS)})\b")
# Someone who speaks for an organisation, or a person, without being named.
SPOKESPERSON_RE = re.compile(r"\b(?:spokes(?:person|man|woman)|representative)\b")
# Adverbs and auxiliaries allowed between a subject and its verb: "Blinken also said".
FILLER = (r"(?:also|later|then|previously|once|again|further|still|recently|earlier|had|has|have|would|"
          r"will|was|is|(?!family\b|only\b|ally\b)[a-z]+ly)")
TRAILING_FILLERS_RE = re.compile(rf"(?:\s+{FILLER})*\s*,?\s*$")
# Between a speech verb and the quote it introduces: a short object, "that", a colon or comma.
VERB_TAIL_RE = re.compile(r"(?P<words>(?:[ ]+[^\s,;:—–“”\"]+){0,8}?)(?:[ ]+that)?[ ]*[:,]?[ ]*")
CLAUSE_BREAK_RE = re.compile(r"[;—–]|\s-\s|\b(?:but|although|though|while|whereas|because)\b")
PASSIVE_MARKERS = set("when was were been being is are be if once unless after before get got".split())
ACCORDING_TO_RE = re.compile(r"\b[Aa]ccording to\s+")
ATTRIBUTION_LEAD_RE = re.compile(r"\s*(,)?\s*")  # between a closing mark and "Blinken said"
INVERTED_VERB_RE = re.compile(rf"(?:{FILLER}\s+)*{SPEECH_VERB_RE.pattern}\s+")  # "said Blinken"
JOINT_SUBJECT_RE = re.compile(r"\s+(?:and|&)\s+\S+")  # "Blinken and Lavrov said"
LIST_GOES_ON_RE = re.compile(rf"(?:,\s*|\s+and\s+){UPPER}")  # "Sandy Koufax, Fernando Valenzuela and…"
PRONOUN_RE = re.compile(r"(?i:he|she|it|they|we|i)\b")
POSSESSIVE_RE = re.compile(r"['’]s\b")
# A photo caption ends with its credit: "… on the 18th green. Jane Doe/Getty Images", "(Photo by Jo Roe/AP)".
PHOTO_CREDIT_RE = re.compile(r"/[^/\n]{0,40}?\b(?:Getty Images|AP|AP Photo|Reuters|REUTERS|AFP|Shutterstock|CNN|"
                             r"Pool|Handout|FILE|Everett Collection|Sipa USA|EPA|EPA-EFE|NurPhoto)\)?"
                             r"(?:[ ]+Prev[ ]+Next)?[ ]*$")
SENTENCE_END_RE = re.compile(rf"[.!?][”\"’)]*\s+(?=[“\"‘(]?(?:{UPPER}|\d))")
CLAUSE_OPENERS = set("and but although though while whereas because since as when after before "
                     "that who which if so yet where until unless".split())
PREPOSITIONS = set("with to by of for from at on in into about against between among toward towards "
                   "under over after before like than as via including and or nor".split())
COMMON_VERBS = set("met meet told tell saw see beat hit led lead won win took take gave give made make sent "
                   "send left leave let put thank thanks ask hire fire name call join visit".split())
WORD_RE = re.compile(r"[\w’'-]+")
# What may follow a subject phrase that has ended: punctuation, a preposition, a conjunction or its verb.
_SUBJECT_ENDS = (rf"(?=[ ]*(?:[,.;]|$)|[ ]+(?:{_alternation([*PREPOSITIONS, *CLAUSE_OPENERS, 'during'])}|"
                 rf"{FILLER}|{SPEECH_VERB_RE.pattern[2:-2]})\b)")
# Words for a person's age or year, at school or in a sport: "the senior said", "the rookie added".
_STAGE_WORDS = ("freshman", "sophomore", "junior", "senior", "teen", "teenager", "rookie", "youngster")
# A person referred to by age, nationality, party or stage, as a pronoun would: "the 24-year-old", "the Kenyan".
DEFINITE_DESCRIPTION_RE = re.compile(
    rf"[Tt]he[ ]+(?:\d+-year-old|{_alternation(_STAGE_WORDS)}|(?:{_alternation([n.title() for n in NATION_OF if n.isalpha()])}|"
    rf"(?!{_alternation(sorted(ORG_WORDS))}\b){UPPER}{LOWER}+(?:an|ese)|Democrat|Republican)\b)"
    rf"{_SUBJECT_ENDS}")
# An organisation referred to as "it" would be: "the company said", "said the agency in a statement".
ORGANISATION_DESCRIPTION_RE = re.compile(
    r"[Tt]he[ ]+(?:company|firm|agency|retailer|airline|automaker|network|organi[sz]ation)"
    rf"{_SUBJECT_ENDS}")
# An organisation by its initials, where a subject ends: "the FDA said", "said the CDC in a statement".
ACRONYM_RE = re.compile(rf"(?:[Tt]he[ ]+)?([A-Z][A-Z&]{{1,5}})(?![\w’'&-]|\.\w){_SUBJECT_ENDS}")
# What a "what did X say about Y" question can ask of a text rather than a person: "what did the IPCC report
# say about sea levels?" is answered from the articles' sentences, not from anyone's quotations.
DOCUMENT_NOUNS = set("report reports study studies survey poll ruling rulings decision verdict opinion order filing "
                     "lawsuit suit complaint indictment memo letter document documents paper analysis review audit "
                     "bill law act proposal plan policy guidance guidelines rules regulation regulations data "
                     "article book ad website release notice announcement budget contract "
                     "agreement treaty resolution forecast findings investigation inquiry".split())
