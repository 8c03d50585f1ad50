"""Questions whose right answer is a decline: real archive speakers on topics they never spoke on, and people who never appear.

    .venv/bin/python bench/quotes/sample_decline.py            # writes bench/quotes/decline.jsonl
    .venv/bin/python bench/quotes/sample_decline.py --check    # only re-runs the archive checks

off_topic (seed SEED): the candidate speakers are the people (not organisations) named as speakers in
the first LABELS_DRAWN_FROM rows of attribution_labels.jsonl and the first QUESTIONS_DRAWN_FROM rows of
questions.jsonl whose surname occurs, as a word, in at most MAX_ARTICLES articles (a commoner surname cannot
be checked: any topic would co-occur with some namesake). They are
shuffled; for each, TOPICS are shuffled and the first topic is kept for which no article of the archive
holding the surname (title or text) holds any of the topic's keywords (word match, case-insensitive).
That is stricter than "near": the speaker and the topic never share an article, so no quotation of the
speaker on it can exist. The first N_OFF_TOPIC speakers that keep a topic are used; as_of is the date of
the article the speaker's own sampled quotation came from.

absent: ABSENT lists invented people (first name + surname) and roles whose place or organisation the
archive never names; every listed word is checked to occur nowhere in the archive (the script stops
otherwise). Each gets a topic from a seeded shuffle of TOPICS and an as_of drawn from the archive's
publication dates. Wording uses a seeded choice of TEMPLATES. Splits are assigned by
sample_questions.py split (kind by kind).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample import articles  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = 31337
MAX_ARTICLES = 40
# decline.jsonl was drawn when attribution_labels.jsonl held its first 190 rows and questions.jsonl its first
# 208; later rows (both draws were extended as longer prefixes of the same order) must not change who the
# candidates are.
LABELS_DRAWN_FROM = 190
QUESTIONS_DRAWN_FROM = 208
N_OFF_TOPIC = 56
TEMPLATES = ("What did {who} say about {topic}?", "What has {who} said about {topic}?", "What did {who} say regarding {topic}?")
TOPICS: dict[str, tuple[str, ...]] = {
    "cryptocurrency": ("crypto", "cryptocurrency", "cryptocurrencies", "bitcoin", "ethereum", "NFT", "NFTs"),
    "the baby formula shortage": ("formula shortage", "baby formula", "infant formula"),
    "student loan forgiveness": ("student loan", "student loans", "student debt"),
    "the Supreme Court's abortion ruling": ("abortion", "Roe"),
    "gas prices": ("gas price", "gas prices", "gasoline"),
    "the war in Ukraine": ("Ukraine", "Ukrainian", "Ukrainians", "Zelensky", "Zelenskyy"),
    "the James Webb Space Telescope": ("Webb",),
    "monkeypox": ("monkeypox",),
    "the World Cup in Qatar": ("World Cup", "Qatar"),
    "Elon Musk's purchase of Twitter": ("Musk", "Twitter"),
    "inflation": ("inflation",),
    "Covid-19 vaccines": ("vaccine", "vaccines", "vaccination", "vaccinated", "Covid", "COVID-19", "coronavirus"),
    "climate change": ("climate",),
    "the death of Queen Elizabeth II": ("Queen Elizabeth", "the Queen"),
    "the January 6 committee": ("January 6", "Jan. 6", "Capitol riot", "insurrection"),
    "gun control": ("gun control", "gun violence", "firearms", "assault weapons", "gun"),
    "artificial intelligence": ("artificial intelligence", "AI", "chatbot"),
    "the housing market": ("housing market", "mortgage", "mortgages", "home prices"),
    "the Olympics": ("Olympic", "Olympics"),
    "electric vehicles": ("electric vehicle", "electric vehicles", "EV", "EVs", "Tesla"),
    "the Oscars": ("Oscar", "Oscars", "Academy Awards"),
    "immigration at the southern border": ("immigration", "migrants", "migrant", "border"),
    "Taylor Swift's concert tour tickets": ("Taylor Swift", "Ticketmaster"),
    "the NBA Finals": ("NBA Finals",),
    "supply chain problems": ("supply chain", "supply chains"),
    "the Iran nuclear deal": ("nuclear deal", "Iran"),
    "hurricane season": ("hurricane", "hurricanes"),
    "NASA's Artemis moon mission": ("Artemis", "moon"),
    "TikTok": ("TikTok",),
    "the midterm elections": ("midterm", "midterms"),
}
# Invented people and roles; words_absent are checked to occur nowhere in the archive.
ABSENT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ingrid Halvorsen", ("Halvorsen",)),
    ("Chidi Okonkwo", ("Okonkwo",)),
    ("Marisol Quintanilla", ("Quintanilla",)),
    ("Dariusz Kowalczyk", ("Kowalczyk",)),
    ("Erik Lindqvist", ("Lindqvist",)),
    ("Agnieszka Szymanski", ("Szymanski",)),
    ("Pieter Achterberg", ("Achterberg",)),
    ("Tunde Oyelaran", ("Oyelaran",)),
    ("Sigrid Brandvold", ("Brandvold",)),
    ("Felipe Ferreira-Lopes", ("Ferreira-Lopes",)),
    ("Harriet Whitcombe", ("Whitcombe",)),
    ("Joost Vandermeer", ("Vandermeer",)),
    ("Priya Kettering", ("Kettering",)),
    ("Ngozi Igwe", ("Igwe",)),
    ("Declan Brannigan", ("Brannigan",)),
    ("Senator Ingrid Halvorsen", ("Halvorsen",)),
    ("the mayor of Tromsø", ("Tromsø", "Tromso")),
    ("the mayor of Ljubljana", ("Ljubljana",)),
    ("Suriname's president", ("Suriname", "Paramaribo")),
    ("the CEO of Brandvold Shipping", ("Brandvold",)),
    ("the president of the Oyelaran Foundation", ("Oyelaran",)),
    ("the director of the Kettering Institute for Public Health", ("Kettering",)),
    ("Lindqvist Motors' chief executive", ("Lindqvist",)),
    ("the head of the Achterberg Group", ("Achterberg",)),
)


def word_pattern(words: tuple[str, ...], *, ignore_case: bool) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE if ignore_case else 0)


def speakers() -> dict[str, str]:
    """Person speakers of the labels and questions -> the date of their sampled quotation."""
    dates = {article["id"]: article["published"] for article in articles()}
    found: dict[str, str] = {}
    labels = [json.loads(line) for line in (HERE / "attribution_labels.jsonl").open(encoding="utf-8")]
    questions = [json.loads(line) for line in (HERE / "questions.jsonl").open(encoding="utf-8")]
    for row in labels[:LABELS_DRAWN_FROM] + questions[:QUESTIONS_DRAWN_FROM]:
        if row.get("speaker") and not row.get("org"):
            found.setdefault(row["speaker"], dates[row["article_id"]])
    return found


def off_topic(texts: list[str], rng: random.Random) -> list[dict]:
    people = speakers()
    # A cheap pre-filter: the surname's word pattern only runs on texts that hold its letters as a token.
    word_sets = [set(re.findall(r"[\w-]+", text)) for text in texts]
    names = sorted(people)
    rng.shuffle(names)
    topic_names = sorted(TOPICS)
    patterns = {topic: word_pattern(TOPICS[topic], ignore_case=True) for topic in topic_names}
    rows: list[dict] = []
    for name in names:
        if len(rows) == N_OFF_TOPIC:
            break
        surname = name.replace(" Jr.", "").replace(" III", "").replace(" II", "").split()[-1]
        pattern = word_pattern((surname,), ignore_case=False)
        holding = [text for text, words in zip(texts, word_sets) if surname in words and pattern.search(text)]
        if len(holding) > MAX_ARTICLES:
            continue
        order = list(topic_names)
        rng.shuffle(order)
        topic = next((t for t in order if not any(patterns[t].search(text) for text in holding)), None)
        if topic is None:
            continue
        question = rng.choice(TEMPLATES).format(who=name, topic=topic)
        rows.append({"kind": "off_topic", "question": question, "as_of": people[name], "speaker": name,
                     "topic": topic, "articles_with_surname": len(holding)})
    return rows


def absent(texts: list[str], rng: random.Random) -> list[dict]:
    dates = sorted(article["published"] for article in articles())
    joined = "\n".join(texts)
    rows: list[dict] = []
    for who, words in ABSENT:
        hits = word_pattern(words, ignore_case=True).findall(joined)
        if hits:
            raise SystemExit(f"sample_decline.py: {who!r} is not absent: the archive holds {hits[:3]}")
        topic = rng.choice(sorted(TOPICS))
        question = rng.choice(TEMPLATES).format(who=who, topic=topic)
        rows.append({"kind": "absent", "question": question[0].upper() + question[1:], "as_of": rng.choice(dates),
                     "speaker": who, "topic": topic})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify decline.jsonl against the archive, write nothing")
    args = parser.parse_args()
    texts = [f"{article.get('title') or ''}\n{article['text']}" for article in articles()]
    rng = random.Random(SEED)
    rows = off_topic(texts, rng) + absent(texts, rng)
    if args.check:
        stored = [json.loads(line) for line in (HERE / "decline.jsonl").open(encoding="utf-8")]
        same = [(r["speaker"], r["question"]) for r in rows] == [(r["speaker"], r["question"]) for r in stored]
        print("decline.jsonl matches the procedure" if same else "decline.jsonl differs from the procedure")
        return
    out = HERE / "decline.jsonl"
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for index, row in enumerate(rows):
            handle.write(json.dumps({"id": f"d{index:03d}", **row, "split": ""}, ensure_ascii=False) + "\n")
    tmp.replace(out)
    print(f"{sum(r['kind'] == 'off_topic' for r in rows)} off_topic, {sum(r['kind'] == 'absent' for r in rows)} absent -> {out}")


if __name__ == "__main__":
    main()
