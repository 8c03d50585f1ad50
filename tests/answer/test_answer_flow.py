"""ask() and ask_stream() (qa/answer/flow.py) end to end: through qa and the command line, verified by
conftest, and over a real news archive when ../shared/bench is there."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from qa import answer as answers
from qa.answer import ask
from qa.cli import main
from qa.index import Index
from qa.types import Answer

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT.parent / "shared" / "bench"
ARTICLE_5 = "Our Article 5 commitment extends to NATO allies"

pytestmark = pytest.mark.minilm


def test_ask_is_importable_from_qa() -> None:
    from qa import ask as top_level

    assert top_level is ask


def test_conftest_verifies_the_answers_of_every_way_to_ask(
    index: Index, sample_index_dir: Path, _verify_every_answer: list[Answer], capsys: pytest.CaptureFixture[str]
) -> None:
    """conftest wraps ask_stream where ask() and the callers outside qa.answer look it up; were it to miss
    one, the suite would pass with answers nobody verified."""
    verified = _verify_every_answer
    ask(index, "what did Blinken say about Article 5?")
    assert len(verified) == 1
    list(answers.ask_stream(index, "Where did Blinken meet Lavrov?"))  # as the REST API and the chat call it
    assert len(verified) == 2
    assert main(["ask", "Where did Blinken meet Lavrov?", "--index", str(sample_index_dir)]) == 0
    assert len(verified) == 3 and "Geneva" in capsys.readouterr().out


# -- the command line ---------------------------------------------------------------------------------


def test_cli_ask_prints_the_answer_and_its_sources(sample_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "what did Blinken say about Article 5?", "--index", str(sample_index_dir)]) == 0
    out = capsys.readouterr().out
    assert f"“{ARTICLE_5}" in out and "[1] Blinken and Lavrov plan more talks" in out
    assert "Washington Examiner, 2022-01-21" in out

    assert main(["ask", "what did Blinken say about Article 5?", "--index", str(sample_index_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "quote" and any(c["text"].startswith(ARTICLE_5) for c in data["citations"])


def test_cli_ask_answers_as_of_a_date(sample_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    question = "what did the secretary of state say about Article 5?"
    assert main(["ask", question, "--index", str(sample_index_dir), "--as-of", "2022-01-21", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "quote"
    # the day before the sample article was published, the articles hold nobody in that role yet
    assert main(["ask", question, "--index", str(sample_index_dir), "--as-of", "2022-01-20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "none"
    assert main(["ask", question, "--index", str(sample_index_dir), "--as-of", "Jan 20"]) == 2
    assert "as_of: 'Jan 20' is not a date" in capsys.readouterr().err


def test_cli_ask_reports_a_missing_index_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "anything?", "--index", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("qa: error:")


# -- end to end over a real news archive (../shared/bench; never copied into the repo) ----------------


def _bench_module():
    if "bench_answers" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_answers", ROOT / "bench" / "answers.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_answers"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["bench_answers"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, minilm):
    """An index of the say-question articles, the benchmark questions' gold articles and 300 distractors,
    in tmp_path: copied from bench/answers.py's cache when that exists (no embedding), else built here."""
    if not BENCH_DIR.is_dir():
        pytest.skip(f"benchmark data not found at {BENCH_DIR}")
    bench = _bench_module()
    folder = tmp_path_factory.mktemp("archive") / "index"
    if bench.dev_index_path().is_dir():
        shutil.copytree(bench.dev_index_path(), folder)
    with bench.open_dev_index(folder, bench=BENCH_DIR / "realtimeqa", embedder=minilm) as index:
        yield bench, index


@pytest.mark.bench_data
# The project's own say questions, which the rules were first written from. bench/quotes (drawn at random,
# split dev/test) is the measure of quote answers now; with its quote index the dev set here fell from 0.88
# to 0.77 while bench/quotes test held at 0.36 (BENCHMARKS.md, issue 11): a floor against collapse, not a target.
# Extractor 5 gave 19/26 (0.73); split statements quoted whole (qa/answer/statements.py) give 20/26 (0.77)
# and 14/15 on the holdout fixture.
@pytest.mark.parametrize("fixture, floor", [("dev_say_questions.jsonl", 0.75), ("holdout_say_questions.jsonl", 0.8)])
def test_say_questions_are_answered_with_the_right_quotation_first(archive, fixture: str, floor: float) -> None:
    bench, index = archive
    results = bench.say_results(index, bench.say_entries(fixture))
    score = sum(result.right for result in results) / len(results)
    print(f"\n{fixture}: right quotation first for {score:.2f} of {len(results)}")
    assert score >= floor, [r.entry["question"] for r in results if not r.right]


@pytest.mark.bench_data
def test_factual_questions_are_answered_and_unanswerable_ones_declined(archive) -> None:
    bench, index = archive
    questions = bench.read_jsonl(BENCH_DIR / "realtimeqa" / "questions.jsonl")
    answers = [ask(index, question["question"]) for question in questions]
    in_text = sum(a.kind != "none" and bench.gold_answer_in(a.text, q["answer"]) for a, q in zip(answers, questions))
    answered = sum(answer.kind != "none" for answer in answers)
    declined = sum(ask(index, q["question"]).kind == "none" for q in bench.read_jsonl(bench.UNANSWERABLE))
    print(f"\ngold answer in the answer text {in_text}/{len(questions)}; answered {answered}/{len(questions)}; "
          f"declined {declined} of the unanswerable")
    # measured: 0.55-0.58 of answers hold the gold answer, 0.89-0.93 answered, 0.67-0.75 declined
    assert in_text / len(questions) >= 0.5
    assert answered / len(questions) >= 0.85
    assert declined / 55 >= 0.5
