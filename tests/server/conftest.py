from __future__ import annotations

import pytest
from server_testing import three_story_index

from qa.index import Index
from qa.ingest.uploads import articles_from_records


@pytest.fixture()
def index(tmp_path, tiny_embedder):
    with three_story_index(tmp_path / "index", tiny_embedder) as opened:
        yield opened


@pytest.fixture()
def tiny_index(tmp_path, tiny_embedder):
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as index:
        index.add(articles_from_records([
            {"id": "s1", "title": "Harbour reopens", "text": "The harbour reopened after the storm. Boats left.",
             "source": "Coast News", "published": "2022-02-01"},
        ]))
        yield index
