"""`--store milvus://HOST:PORT/COLLECTION` and $QA_STORE on the `qa` commands, against a real milvus-lite server."""

from __future__ import annotations

import json
import uuid

from qa.cli import main

NEWS = [
    {"id": "n1", "title": "Port strike", "source": "Herald", "published": "2022-03-01",
     "text": "Dock workers went on strike in Rotterdam. “We want fair pay,” said union leader Maria Jansen."},
    {"id": "n2", "title": "Harvest", "text": "Farmers reported a record wheat harvest across the plains."},
]


def test_every_command_reads_and_writes_a_milvus_store(tmp_path, tiny_model_path, milvus_address, capsys, monkeypatch):
    store = f"milvus://{milvus_address}/cli_{uuid.uuid4().hex[:12]}"
    news = tmp_path / "news.jsonl"
    news.write_text("\n".join(json.dumps(row) for row in NEWS) + "\n", encoding="utf-8")
    assert main(["ingest", str(news), "--store", store, "--model", str(tiny_model_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 2
    assert not (tmp_path / "index").exists()

    assert main(["search", "strike", "--store", store, "--source", "herald", "--json"]) == 0
    assert [hit["article_id"] for hit in json.loads(capsys.readouterr().out)["hits"]] == ["n1"]
    assert main(["info", "--store", store, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["articles"], info["path"], info["vector_index"]) == (2, store, "FLAT")
    assert main(["quotes", "Jansen", "--store", store, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["speaker"] == "Maria Jansen"  # resolved from the people stored

    monkeypatch.setenv("QA_STORE", store)  # the default store of every command
    assert main(["ask", "Why did dock workers strike?", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["citations"][0]["article_id"] == "n1"
    assert main(["delete", "n1"]) == 0
    assert "deleted 1" in capsys.readouterr().out
    assert main(["info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 1


def test_an_unreachable_store_is_one_line(capsys):
    assert main(["search", "strike", "--store", "milvus://127.0.0.1:1/news"]) != 0
    error = capsys.readouterr().err.strip()
    assert "milvus://127.0.0.1:1/news: cannot reach Milvus" in error and "\n" not in error and "Traceback" not in error
