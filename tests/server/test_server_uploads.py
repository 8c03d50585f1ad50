"""Uploads to POST /api/articles as an attacker would send them: a body larger than the cap with no
Content-Length, client file names that look like paths, and compressed bombs."""

from __future__ import annotations

import gzip
import io
import json
import re
import select
import socket
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from qa.server import create_app
from qa.server.service import IndexService

CAP = 1024 * 1024


@pytest.fixture()
def live_port(index):
    """A real uvicorn (its HTTP parser and flow control, as `qa serve` runs it) on loopback, capped at 1 MB."""
    config = uvicorn.Config(create_app(index, max_upload_bytes=CAP), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "the server did not start"
            thread.join(0.05)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(30)


def _post_chunked_until_answered(port: int, total: int) -> tuple[int, int, bytes]:
    """POST ``total`` bytes without a Content-Length, stopping as soon as the server answers: (body bytes
    sent by then, status, body of the reply)."""
    piece = b" " * 65536
    framed = b"%x\r\n" % len(piece) + piece + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            b"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        connection.setblocking(False)
        sent, pending = 0, b""
        while True:
            readable, writable, _ = select.select([connection], [connection], [], 30)
            assert readable or writable, "the server neither answered nor read for 30 s"
            if readable:
                break
            if not pending:
                pending = framed if sent < total else b"0\r\n\r\n"
            count = connection.send(pending)
            pending, sent = pending[count:], sent + count
        connection.setblocking(True)
        reply = b""
        while b"\r\n\r\n" not in reply or len(reply.partition(b"\r\n\r\n")[2]) < _length(reply):
            more = connection.recv(65536)
            assert more, f"connection closed mid-reply: {reply!r}"
            reply += more
    head, _, body = reply.partition(b"\r\n\r\n")
    return sent, int(head.split()[1]), body[: _length(reply)]


def _length(reply: bytes) -> int:
    found = re.search(rb"(?im)^content-length:\s*(\d+)", reply.partition(b"\r\n\r\n")[0])
    return int(found.group(1)) if found else 1 << 30


def test_a_body_without_content_length_is_refused_while_it_streams(live_port):
    # 64 times the cap: a server that read it all before checking would answer only after the last byte.
    # Loopback socket buffers hold a few MB, so "about the cap" is measured as under half the body.
    total = 64 * CAP
    sent, status, reply = _post_chunked_until_answered(live_port, total)
    assert sent < total // 2, f"the server answered only after {sent} of {total} bytes: {status} {reply[:200]!r}"
    assert status == 413 and "limit is 1 MB" in json.loads(reply)["error"]


def _multipart(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart body written by hand: clients escape the names an attacker sends raw."""
    boundary = "qa-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'.encode()
        + b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
        for name, content in files
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


HOSTILE_NAMES = {
    "../../escaped.jsonl": "escaped.jsonl",
    "/abs/path.jsonl": "path.jsonl",
    "C:\\x\\y.jsonl": "y.jsonl",
    "..\\..\\win.jsonl": "win.jsonl",
    "nul\x00esc\x1bdel\x7ftab\t.jsonl": "nulescdeltab.jsonl",
    "a" * 4000 + ".jsonl": "a" * 114 + ".jsonl",
}


def test_hostile_file_names_are_never_paths_and_reports_show_them_sanitised(index, tmp_path, monkeypatch):
    # The server's temp space two levels below tmp_path, so "../../" from it would land in view.
    spool = tmp_path / "spool" / "deep"
    spool.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.chdir(spool)
    saved: list[Path] = []
    add_files = IndexService.add_files

    def recording(self, uploads, *args, **kwargs):
        saved.extend(upload.path for upload in uploads)
        return add_files(self, uploads, *args, **kwargs)

    monkeypatch.setattr(IndexService, "add_files", recording)
    files = [
        (name, json.dumps({"id": f"hostile-{n}", "text": f"Story number {n} about harbour {n}."}).encode()
         + b'\n{"title": "no text"}\n')
        for n, name in enumerate(HOSTILE_NAMES)
    ]
    body, content_type = _multipart(files)
    client = TestClient(create_app(index))
    reply = client.post("/api/articles", content=body, headers={"content-type": content_type})

    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert (report["added"], report["failed"]) == (len(HOSTILE_NAMES), len(HOSTILE_NAMES))
    assert {error["origin"] for error in report["errors"]} == {f"{shown}:2" for shown in HOSTILE_NAMES.values()}
    for n, shown in enumerate(HOSTILE_NAMES.values()):
        assert client.get(f"/api/articles/hostile-{n}").json()["origin"] == f"{shown}:1"
    assert [path.name for path in saved] == [f"upload-{n}.jsonl" for n in range(len(HOSTILE_NAMES))]
    assert all(path.parent.parent == spool and path.parent.name.startswith("qa-upload-") for path in saved)
    left = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if "index" not in path.parts)
    assert left == ["spool", "spool/deep"], "an upload was written outside its temp folder, or left behind"
    assert not Path("/abs/path.jsonl").exists()
    # Longer still, a name is past what the multipart parser takes in one header: the whole upload is refused.
    body, content_type = _multipart([("b" * 20000 + ".jsonl", files[0][1])])
    refused = client.post("/api/articles", content=body, headers={"content-type": content_type})
    assert refused.status_code == 400 and "\n" not in refused.json()["error"]


def test_a_gzip_encoded_body_is_refused_unread(index):
    bomb = gzip.compress(b"0" * (64 * 1024 * 1024))  # 64 MB of zeros in about 64 KB
    client = TestClient(create_app(index))
    for path in ("/api/articles", "/api/ask"):
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        reply = client.post(path, content=bomb, headers=headers)
        assert reply.status_code == 415, reply.text
        error = reply.json()["error"]
        assert "Content-Encoding 'gzip'" in error and "\n" not in error
    assert client.get("/api/stats").json()["articles"] == 3


def test_compressed_files_are_refused_as_unsupported_types_or_read_as_bytes(index):
    jsonl = b'{"id": "zipped", "text": "The harbour reopened."}\n'
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("news.jsonl", jsonl)
    client = TestClient(create_app(index))
    reply = client.post("/api/articles", files=[
        ("files", ("news.jsonl.gz", gzip.compress(jsonl), "application/gzip")),
        ("files", ("news.zip", archive.getvalue(), "application/zip")),
        ("files", ("disguised.jsonl", gzip.compress(jsonl), "application/octet-stream")),
    ])
    assert reply.status_code == 422
    reasons = {error["origin"].split(":")[0]: error["reason"] for error in reply.json()["errors"]}
    assert "unsupported file type '.gz'" in reasons["news.jsonl.gz"]
    assert "unsupported file type '.zip'" in reasons["news.zip"]
    assert "disguised.jsonl" in reasons  # gzip bytes under a .jsonl name are read as text, and fail as text
    assert client.get("/api/articles/zipped").status_code == 404
