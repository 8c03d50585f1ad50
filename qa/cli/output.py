"""What subcommands print: JSON, fields, and the line a write shows before it waits for another process."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.store.writelock import Holder, WaitCallback


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def print_fields(data: dict, *, as_json: bool) -> None:
    if as_json:
        print_json(data)
    else:
        for key, value in data.items():
            print(f"{key}: {value}")


def announce_wait(index: str) -> WaitCallback:
    """What a write tells the user before it waits for another process's: one line, then it proceeds."""

    def announce(holder: Holder) -> None:
        print(f"qa: waiting for {holder} to finish writing to {index}…", file=sys.stderr, flush=True)

    return announce
