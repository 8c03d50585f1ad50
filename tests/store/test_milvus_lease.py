"""The write lock of a Milvus store across processes (qa/store/milvus/lease.py), on the session's real
milvus-lite server: the server primitive it rests on, two writers serialized, a waiter told who holds it,
and a killed holder's lease broken once its heartbeat has stood still for the expiry."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from qa.errors import IndexBusyError
from qa.index import Index
from qa.store.milvus import lease
from qa.store.milvus.store import MilvusStore
from qa.types import Article
from writer_processes import ENV, Holder, racing_ingests, story, waiting_ingest

# Each process creates the same collections at the same moment and prints those it made.
RACE_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from pymilvus import DataType, MilvusClient
    from pymilvus.exceptions import MilvusException
    uri, prefix, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    client = MilvusClient(uri=uri)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    time.sleep(max(0.0, start - time.time()))
    made = []
    for n in range(10):
        try:
            client.create_collection(f"{prefix}_{n}", schema=schema)
            made.append(n)
        except MilvusException as error:
            assert "exist" in str(error).lower(), error
    print(json.dumps(made))
""")

# Takes the store's write lock, says so, and keeps it until its stdin closes (or it is killed).
HOLD_SCRIPT = textwrap.dedent("""
    import sys
    from qa.store.milvus.store import MilvusStore
    store = MilvusStore.open(sys.argv[1])
    with store.write_lock.hold():
        print("held", flush=True)
        sys.stdin.read()
""")


@pytest.fixture()
def location(milvus_address, exported_model) -> str:
    where = f"milvus://{milvus_address}/lease_{uuid.uuid4().hex[:12]}"
    with Index.open(where, model=exported_model, create=True) as index:
        index.add([Article(id="old", title="Old", text=story(100))])
    return where


def test_of_processes_creating_one_collection_at_once_exactly_one_succeeds(milvus_address):
    prefix, start = f"race_{uuid.uuid4().hex[:8]}", time.time() + 3
    racers = [
        subprocess.Popen([sys.executable, "-c", RACE_SCRIPT, f"http://{milvus_address}", prefix, str(start)],
                         env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    made = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        made += json.loads(out)
    assert sorted(made) == list(range(10))
    from pymilvus import MilvusClient

    client = MilvusClient(uri=f"http://{milvus_address}")
    try:  # each winner's collection whole
        assert all(client.describe_collection(f"{prefix}_{n}")["fields"] for n in range(10))
        for n in range(10):
            client.drop_collection(f"{prefix}_{n}")
    finally:
        client.close()


def test_two_processes_ingesting_overlapping_articles_at_once_store_each_exactly_once(tmp_path, location, exported_model):
    # Unserialized, both would find an article missing and both report it added (62 of 50 without the lease).
    processes = racing_ingests(location, exported_model, tmp_path / "ready")
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(report["added"] for report in reports) == 50
    assert sum(report["skipped"] for report in reports) == 15
    with Index.open(location) as index:
        assert index.stats()["articles"] == 51
        assert index.stories_of(["a20", "b20"]) == {"a20": "a20", "b20": "a20"}  # copies of one story


def test_a_writer_waits_naming_the_holder_and_a_killed_holders_lease_is_broken(tmp_path, location):
    store = MilvusStore.open(location)
    holder = Holder(HOLD_SCRIPT, location, tmp_path)
    ingest = None
    try:
        assert store.write_lock.holder().pid == holder.pid
        told: list[object] = []
        began = time.monotonic()
        with pytest.raises(IndexBusyError) as refused:
            with store.write_lock.hold(wait=0.5, on_wait=told.append):
                pass
        assert 0.5 <= time.monotonic() - began < 5
        assert re.fullmatch(rf"the store is busy: hold\.py \(pid {holder.pid} on [^\n]+", str(refused.value))
        assert [holder_.pid for holder_ in told] == [holder.pid]

        news = tmp_path / "news.jsonl"
        news.write_text(json.dumps({"id": "late", "title": "Late", "text": story(7)}) + "\n", encoding="utf-8")
        waiting = waiting_ingest(news, location, "--store", holder, seconds=120)
        ingest, stderr = waiting.process, waiting.stderr
        time.sleep(2 * lease.HEARTBEAT_SECONDS)
        assert ingest.poll() is None  # still waiting: the holder's heartbeat goes on

        holder.kill()
        killed = time.monotonic()
        assert ingest.wait(timeout=lease.EXPIRY_SECONDS + 120) == 0, "".join(stderr)
        waited = time.monotonic() - killed
        assert lease.EXPIRY_SECONDS - lease.HEARTBEAT_SECONDS - 1 <= waited, waited
        assert "added 1," in ingest.stdout.read()
    finally:
        holder.kill()
        if ingest is not None and ingest.poll() is None:
            os.kill(ingest.pid, signal.SIGKILL)
            ingest.wait()
    assert store.article("late") is not None
    began = time.monotonic()
    with store.write_lock.hold(wait=0):  # released by the ingest: free at once
        assert store.write_lock.holder().pid == os.getpid()
    assert time.monotonic() - began < 5
    store.close()


def test_a_released_lease_is_free_at_once_and_the_older_ones_are_dropped(location):
    first, second = MilvusStore.open(location), MilvusStore.open(location)
    try:
        for _ in range(3):
            for store in (first, second):
                with store.write_lock.hold(wait=0):
                    pass
        leases = [name for name in first.client.list_collections() if name.startswith(f"{first.address.collection}_lease_")]
        assert len(leases) == 1
    finally:
        first.close()
        second.close()
