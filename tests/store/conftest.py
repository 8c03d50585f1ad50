"""The store's location for the tests run over both backends: a local index folder, or a fresh collection
on the session's real milvus-lite server (tests/conftest.py, milvus_address)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(params=["local", "milvus"])
def location(request, tmp_path) -> str:
    if request.param == "local":
        return str(tmp_path / "index")
    address = request.getfixturevalue("milvus_address")
    return f"milvus://{address}/contract_{uuid.uuid4().hex[:12]}"
