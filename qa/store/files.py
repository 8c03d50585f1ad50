"""Atomic file replacement: a reader sees the old file or the new one, never a torn write."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from qa.errors import QAError


def replace_atomically(target: Path, write: Callable[[str], None]) -> None:
    """Call ``write(temp_path)``, flush it to disk, then rename it over ``target``."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(temp, 0o644)  # mkstemp makes files private; index files are ordinary shared files
    try:
        write(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def remove_temporaries(folder: Path) -> None:
    """Remove the temporary files of replacements killed midway (a SIGKILL skips the cleanup above).
    Only for the folder's one writer: anyone else's temporary may still be being written."""
    for path in folder.glob(".*.tmp"):
        if path.is_file():
            path.unlink(missing_ok=True)


def write_json_atomically(target: Path, data: dict[str, Any]) -> None:
    def write(temp: str) -> None:
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")

    replace_atomically(target, write)


@contextmanager
def new_folder_atomically(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` to fill, renamed to ``target`` when the block ends (its files
    flushed to disk first) and removed if it raises: ``target`` appears whole or not at all. A process
    killed meanwhile leaves only the hidden temporary folder. ``target`` must not exist."""
    _must_be_new(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield temp
        for folder, _, names in os.walk(temp):
            for name in names:
                with open(os.path.join(folder, name), "rb") as handle:
                    os.fsync(handle.fileno())
            fsync_folder(Path(folder))
        temp.chmod(0o755)  # mkdtemp makes folders private
        _must_be_new(target)  # rename would replace an empty folder made meanwhile
        os.rename(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    fsync_folder(target.parent)


def _must_be_new(target: Path) -> None:
    if os.path.lexists(target):
        raise QAError(f"{target}: already exists; choose a new folder")


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
