"""The write lock of a Milvus store across processes and machines: a lease, as `write.lock` is for a folder.

Milvus has no lock, but creating a collection is atomic: of several creates of one name exactly one
succeeds (milvus-lite 3.2.2 makes the collection's folder with an exclusive mkdir and answers the others
"already exists" or "File exists"; tests/store/test_milvus_lease.py races processes on it; a Milvus
cluster's root coordinator serializes creates, and each create here has a schema of its own, since a
cluster answers a second create with the same schema as a success). A writer takes the lock by creating
COLLECTION_lease_N, N one past the highest lease there is, and holds it while N stays the highest. It
writes who it is (writelock.Holder) into the meta collection under lease:N and counts a heartbeat there
every HEARTBEAT_SECONDS; releasing marks that row released, and the next writer creates N+1 and drops the
older leases. Numbers only grow, so a writer that read an old N and creates a lease below the highest
sees the higher one and backs off.

A holder that was killed leaves its lease unreleased: a waiter breaks it once it has watched the heartbeat
stand still for EXPIRY_SECONDS (by the waiter's own clock, so no two machines' clocks are compared). A
holder stalled that long (a paused process, a lost network) loses the lock; its heartbeat notices and it
logs that its write overlapped the next writer's, which Milvus cannot undo.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Iterator

from qa.errors import IndexBusyError
from qa.store.milvus import rows, schema
from qa.store.milvus.client import milvus_errors
from qa.store.writelock import UNKNOWN_HOLDER, Holder

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from qa.store.milvus.client import Address

    from qa.store.writelock import WaitCallback

LEASE = "lease_"
HEARTBEAT_SECONDS = 2.0
EXPIRY_SECONDS = 30.0  # many heartbeats: a busy machine delays some, never this many
POLL_SECONDS = 0.25
RELEASED = -1  # the heartbeat count of a lease let go

log = logging.getLogger(__name__)


class LeaseLock:
    def __init__(self, client: MilvusClient, address: Address) -> None:
        self._client, self._address = client, address
        self._collection = address.collection
        self._threads = threading.Lock()  # one hold at a time in this process: a second would wait on the first

    @contextmanager
    def hold(self, *, wait: float | None = None, on_wait: WaitCallback | None = None) -> Iterator[None]:
        """Hold the lock for the block. When another writer holds it, ``on_wait`` is told who, once, and
        this waits: as long as that writer's heartbeat goes on (``wait`` None; once it has stood still for
        EXPIRY_SECONDS the lease is broken), or ``wait`` seconds, then raises IndexBusyError naming it."""
        deadline = None if wait is None else time.monotonic() + wait
        if not self._threads.acquire(timeout=-1 if wait is None else wait):
            raise IndexBusyError("the store is busy: another write of this process is still running")
        try:
            record = json.dumps(asdict(Holder.this_process()))
            with milvus_errors(self._address):
                number = self._acquire(record, deadline, on_wait)
            stop, lost = threading.Event(), threading.Event()
            beating = threading.Thread(
                target=self._beat, args=(number, record, stop, lost), name="qa-lease", daemon=True
            )
            beating.start()
            try:
                yield
            finally:
                stop.set()
                beating.join()
                if lost.is_set():
                    log.error("%s: this write outlived its lease: another writer took the lock meanwhile",
                              self._collection)
                else:
                    with milvus_errors(self._address):
                        self._write(number, RELEASED, "")
        finally:
            self._threads.release()

    def holder(self) -> Holder:
        """Who holds the lock now (UNKNOWN_HOLDER when no one, or while a writer is just taking it)."""
        with milvus_errors(self._address):
            top = self._highest()
            found = self._read(top) if top is not None else None
        return found[1] if found else UNKNOWN_HOLDER

    def _acquire(self, record: str, deadline: float | None, on_wait: WaitCallback | None) -> int:
        watched, since, told = None, time.monotonic(), False
        while True:
            top = self._highest()
            found = self._read(top) if top is not None else None
            free = top is None or (found is not None and found[0] == RELEASED)
            if not free:
                seen = (top, found[0] if found else None)
                if seen != watched:
                    watched, since = seen, time.monotonic()
                free = time.monotonic() - since >= EXPIRY_SECONDS
                if free:
                    log.warning("%s: breaking the write lock of %s: no heartbeat for %.0f s", self._collection,
                                found[1] if found else UNKNOWN_HOLDER, EXPIRY_SECONDS)
            if free:
                mine = (top or 0) + 1
                if self._create(mine) and self._highest() == mine:
                    self._write(mine, 0, record)
                    self._drop_below(mine)
                    return mine
                continue
            holder = found[1] if found else UNKNOWN_HOLDER
            if not told and on_wait is not None:
                on_wait(holder)
                told = True
            if deadline is not None and time.monotonic() >= deadline:
                raise IndexBusyError(
                    f"the store is busy: {holder} is writing to it; try again when it has finished"
                )
            time.sleep(POLL_SECONDS)

    def _beat(self, number: int, record: str, stop: threading.Event, lost: threading.Event) -> None:
        beats = 0
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                if self._highest() != number:
                    lost.set()
                    return
                beats += 1
                self._write(number, beats, record)
            except Exception:  # a missed beat; the next one tries again, and expiry allows many
                log.warning("%s: a heartbeat of the write lock failed", self._collection, exc_info=True)

    # -- the server's side ---------------------------------------------------------------------

    def _lease_name(self, number: int) -> str:
        return schema.name(self._collection, f"{LEASE}{number}")

    def _leases(self) -> list[int]:
        prefix = schema.name(self._collection, LEASE)
        return sorted(
            int(name[len(prefix):]) for name in self._client.list_collections()
            if name.startswith(prefix) and name[len(prefix):].isdigit()
        )

    def _highest(self) -> int | None:
        leases = self._leases()
        return leases[-1] if leases else None

    def _create(self, number: int) -> bool:
        """Whether this call made the lease (False: it exists already)."""
        from pymilvus import DataType
        from pymilvus.exceptions import MilvusException

        lease = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        lease.add_field("id", DataType.INT64, is_primary=True)
        lease.add_field("no_vector", DataType.FLOAT_VECTOR, dim=len(schema.NO_VECTOR))
        # A field named for this attempt: a Milvus cluster answers a create of an existing collection with
        # the same schema as a success, so no two creators' schemas may be the same.
        lease.add_field(f"by_{uuid.uuid4().hex}", DataType.BOOL)
        try:
            self._client.create_collection(self._lease_name(number), schema=lease)
        except MilvusException as error:
            # "already exists"; milvus-lite says "File exists" when the other create is under way
            if "exist" in str(error).lower():
                return False
            raise
        return True

    def _drop_below(self, number: int) -> None:
        for older in self._leases():
            if older < number:
                self._client.drop_collection(self._lease_name(older))
                self._client.delete(self._meta(), filter=f"key == {rows.literal(_key(older))}")

    def _meta(self) -> str:
        return schema.name(self._collection, schema.META)

    def _read(self, number: int) -> tuple[int, Holder] | None:
        """(heartbeats, holder) of a lease, None while its holder has not written them yet."""
        found = self._client.query(self._meta(), filter=f"key == {rows.literal(_key(number))}",
                                   output_fields=["number", "text"])
        if not found:
            return None
        try:
            holder = Holder(**json.loads(found[0]["text"]))
        except (ValueError, TypeError):
            holder = UNKNOWN_HOLDER
        return int(found[0]["number"]), holder

    def _write(self, number: int, beats: int, holder: str) -> None:
        self._client.upsert(
            self._meta(), [{"key": _key(number), "no_vector": schema.NO_VECTOR, "number": beats, "text": holder}]
        )


def _key(number: int) -> str:
    return f"lease:{number}"
