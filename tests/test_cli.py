"""The `qa` command: output, JSON, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.cli import main

ROOT = Path(__file__).resolve().parent.parent


def write_jsonl(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_ingest_search_info_delete_round_trip(tmp_path, tiny_model_path, capsys):
    folder = str(tmp_path / "ix")
    news = write_jsonl(tmp_path / "news.jsonl", [
        json.dumps({"id": "n1", "title": "Port strike", "text": "Dock workers went on strike in Rotterdam.",
                    "source": "Herald", "published": "2022-03-01", "url": "https://herald.example/strike"}),
        "{not json",
        json.dumps({"id": "n2", "title": "Harvest", "text": "Farmers reported a record wheat harvest."}),
    ])
    assert main(["ingest", str(news), "--index", folder, "--model", str(tiny_model_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["failed"]) == (2, 1)
    assert report["errors"][0]["origin"].endswith("news.jsonl:2")

    assert main(["search", "strike", "--index", folder, "-k", "5", "--source", "Herald", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [(h["article_id"], h["url"], h["published"]) for h in hits] == [
        ("n1", "https://herald.example/strike", "2022-03-01")
    ]

    assert main(["info", "--index", folder, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["articles"], info["dimension"]) == (2, 32)

    assert main(["delete", "n1", "--index", folder]) == 0
    assert "deleted 1" in capsys.readouterr().out
    assert main(["delete", "n1", "--index", folder]) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "", "--index", "{ix}"], "empty query"),
        (["search", "x", "-k", "0", "--index", "{ix}"], "k must be a positive"),
        (["search", "x", "--since", "yesterday", "--index", "{ix}"], "since: 'yesterday' is not a date"),
        (["info", "--index", "{missing}"], "not an index"),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path, tiny_model_path, capsys, argv, message):
    folder = tmp_path / "ix"
    from qa.index import Index

    Index.open(folder, model=str(tiny_model_path), create=True).close()
    argv = [a.format(ix=folder, missing=tmp_path / "missing") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.minilm
def test_console_script_finds_the_article_5_passage_first(sample_index_dir):
    qa = Path(sys.executable).with_name("qa")
    done = subprocess.run(
        [str(qa), "search", "what did Blinken say about Article 5?", "--index", str(sample_index_dir), "--json"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    first = json.loads(done.stdout)["hits"][0]
    assert "Our Article 5 commitment extends to NATO allies" in first["text"]
    assert first["title"].startswith("Blinken and Lavrov plan more talks")


def test_snapshot_copies_an_index_to_open_with_index_and_refuses_an_existing_folder(tmp_path, tiny_model_path, capsys):
    folder, copy = str(tmp_path / "ix"), str(tmp_path / "copy")
    news = write_jsonl(tmp_path / "news.jsonl", [
        json.dumps({"id": "n1", "title": "Port strike", "text": "Dock workers went on strike in Rotterdam."}),
        json.dumps({"id": "n2", "title": "Harvest", "text": "Farmers reported a record wheat harvest."}),
    ])
    assert main(["ingest", str(news), "--index", folder, "--model", str(tiny_model_path), "--json"]) == 0
    capsys.readouterr()

    assert main(["snapshot", copy, "--index", folder]) == 0
    out = capsys.readouterr().out.strip()
    assert f"in {copy}: 2 articles, 2 chunks" in out and "vectors copied, keywords copied" in out
    assert len(out.splitlines()) == 1
    assert main(["search", "strike", "--index", copy, "--json"]) == 0
    assert [hit["article_id"] for hit in json.loads(capsys.readouterr().out)["hits"]][0] == "n1"

    assert main(["snapshot", copy, "--index", folder, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "already exists" in err and len(err.splitlines()) == 1
    assert main(["snapshot", str(tmp_path / "copy2"), "--index", folder, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["articles"], report["chunks"], report["vectors_copied"], report["keywords_copied"]) == (2, 2, True, True)


def test_search_shows_a_story_once_with_also_in_and_every_copy_on_request(tmp_path, tiny_model_path, capsys):
    folder = str(tmp_path / "ix")
    wire = " ".join(f"Dock workers in Rotterdam walked out on day {n} of the strike over pay and hours." for n in range(30))
    news = write_jsonl(tmp_path / "news.jsonl", [
        json.dumps({"id": "ap", "text": wire, "source": "AP", "published": "2022-03-01", "url": "https://ap.example/1"}),
        json.dumps({"id": "herald", "text": f"{wire} Copyright Herald.", "source": "Herald", "published": "2022-03-02"}),
    ])
    assert main(["ingest", str(news), "--index", folder, "--model", str(tiny_model_path), "--json"]) == 0
    capsys.readouterr()
    assert main(["search", "Rotterdam strike", "--index", folder, "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert len(hits) == 1
    other = ({"ap", "herald"} - {hits[0]["article_id"]}).pop()
    assert [copy["article_id"] for copy in hits[0]["also_in"]] == [other]
    assert set(hits[0]["also_in"][0]) == {"article_id", "source", "url", "published"}
    assert main(["search", "Rotterdam strike", "--index", folder, "--all-copies", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["hits"]) == 2
    assert main(["search", "Rotterdam strike", "--index", folder]) == 0
    assert "also in: " in capsys.readouterr().out
