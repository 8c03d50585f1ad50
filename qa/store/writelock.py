"""write.lock: one writer at a time on an index folder, across processes.

A duplicate check reads before its commit, and every writer saves vectors.faiss and manifest.json, so
two processes writing at once could both add one article, or pair one's manifest with the other's
vectors. The lock is the kernel's (flock through filelock): it goes with its holder's process however
that ends, so a crashed writer never blocks the next one and no PID file needs judging. The holder
writes who it is into the file once it holds it, so that a writer kept waiting can name it.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from qa.errors import IndexBusyError

if TYPE_CHECKING:
    from filelock import BaseFileLock

LOCK_FILE = "write.lock"


@dataclass(frozen=True)
class Holder:
    """Who holds the write lock, as it wrote itself into the lock file."""

    pid: int
    host: str
    command: str  # the program and its subcommand ("qa ingest"), never its paths: a server shows this
    since: str  # UTC, ISO 8601 to the second

    @classmethod
    def this_process(cls) -> "Holder":
        program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
        words = [program, *(arg for arg in sys.argv[1:2] if not arg.startswith("-") and os.sep not in arg)]
        since = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        return cls(pid=os.getpid(), host=socket.gethostname(), command=" ".join(words), since=since)

    def __str__(self) -> str:
        if not self.pid:
            return "another writer"
        return f"{self.command} (pid {self.pid} on {self.host}, since {self.since})"


# Read when the file is empty or torn: the holder has just taken the lock, or has just let it go.
UNKNOWN_HOLDER = Holder(pid=0, host="", command="", since="")

WaitCallback = Callable[[Holder], None]


class WriteLock:
    """The write lock of one index folder, shared by the threads of a process, which must take turns
    (Index holds its in-process lock around it): a second thread's hold would join the first's."""

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / LOCK_FILE
        self._file_lock: BaseFileLock | None = None

    @contextmanager
    def hold(self, *, wait: float | None = None, on_wait: WaitCallback | None = None) -> Iterator[None]:
        """Hold the lock for the block. When another process holds it, ``on_wait`` is told who, once,
        and this waits: as long as that writer writes (``wait`` None), or ``wait`` seconds, then raises
        IndexBusyError naming it."""
        from filelock import Timeout

        lock = self._lock()
        if not _try_acquire(lock):
            if on_wait is not None:
                on_wait(self.holder())
            try:
                lock.acquire(timeout=-1 if wait is None else wait)
            except Timeout:
                raise IndexBusyError(
                    f"the index is busy: {self.holder()} is writing to it; try again when it has finished"
                ) from None
        try:
            yield
        finally:
            self._release(lock)

    @contextmanager
    def attempt(self) -> Iterator[bool]:
        """Hold the lock for the block if no one does (True), else go on without it (False): for the
        cache repairs of an open, which a running writer does itself when it saves."""
        lock = self._lock()
        if not _try_acquire(lock):
            yield False
            return
        try:
            yield True
        finally:
            self._release(lock)

    def holder(self) -> Holder:
        """Who holds the lock now, as far as the file tells; UNKNOWN_HOLDER when it does not."""
        try:
            return Holder(**json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return UNKNOWN_HOLDER

    def _lock(self) -> BaseFileLock:
        if self._file_lock is None:
            from filelock import FileLock

            # preserve_lock_file: waiters keep polling the same inode, and the record is written in place.
            self._file_lock = FileLock(
                self.path, thread_local=False, preserve_lock_file=True, on_acquired=_write_holder,
            )
        return self._file_lock

    def _release(self, lock: BaseFileLock) -> None:
        # Emptied while still held, so that a stale record never names a writer that has finished.
        with suppress(OSError):
            os.truncate(self.path, 0)
        lock.release()


def _try_acquire(lock: BaseFileLock) -> bool:
    from filelock import Timeout

    try:
        lock.acquire(blocking=False)
    except Timeout:
        return False
    return True


def _write_holder(fd: int) -> None:
    record = json.dumps(asdict(Holder.this_process())).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, record, 0)
