"""What the locks under lock/ are made from: pyproject.toml's dependency lists, and their digest.

scripts/lock.sh writes the digest into each lock's header; tests/test_lock.py recomputes it, so a lock
made from another pyproject.toml fails the suite. Usage: python3 scripts/lockinfo.py digest|test-no-deps
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def dependency_lists(pyproject: Path = PYPROJECT) -> dict[str, object]:
    """Everything in pyproject.toml that decides what a lock holds."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    return {
        "requires-python": project.get("requires-python", ""),
        "build-system.requires": data.get("build-system", {}).get("requires", []),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies.test": project.get("optional-dependencies", {}).get("test", []),
        "tool.article-qa.test-no-deps": data.get("tool", {}).get("article-qa", {}).get("test-no-deps", []),
    }


def digest(pyproject: Path = PYPROJECT) -> str:
    canonical = json.dumps(dependency_lists(pyproject), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "digest":
        print(digest())
    elif what == "test-no-deps":
        print("\n".join(dependency_lists()["tool.article-qa.test-no-deps"]))  # type: ignore[arg-type]
    else:
        sys.exit(__doc__)
