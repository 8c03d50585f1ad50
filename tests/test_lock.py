"""The locks under lock/ agree with pyproject.toml, and the suite runs in the environment they lock.

scripts/lock.sh makes them (with uv) and records in each one the digest of pyproject.toml's dependency
lists that it was made from; scripts/install.sh installs them. No network: files and installed metadata.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {name: ROOT / "lock" / f"{name}.txt" for name in ("app", "test", "build", "uv")}
# The machines the locks are for (scripts/lock.sh: --python-version 3.11, x86_64 Linux).
TARGET = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
          "python_version": "3.11", "implementation_name": "cpython", "platform_python_implementation": "CPython"}
REGENERATE = "pyproject.toml changed without its locks: run `bash scripts/lock.sh` and commit lock/"

_spec = importlib.util.spec_from_file_location("lockinfo", ROOT / "scripts" / "lockinfo.py")
lockinfo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lockinfo)

ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def entries(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (version, hashes)} of a requirements-format lock with --hash options."""
    found: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = ENTRY.match(line)
        if match:
            name = canonicalize_name(match[1])
            assert name not in found, f"{lock.name}: {name} locked twice"
            found[name] = (match[2], [])
        elif name and line.strip().startswith("--hash="):
            found[name][1].append(line.strip().removeprefix("--hash=").rstrip(" \\"))
        elif line and not line.startswith(" "):
            name = ""
    return found


def header(lock: Path, key: str) -> str:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {key}: "):
            return line.removeprefix(f"# {key}: ").strip()
    raise AssertionError(f"{lock.name} has no '# {key}:' header line: {REGENERATE}")


def requirements(kind: str) -> list[Requirement]:
    """The requirements of one of pyproject.toml's lists that apply on the locks' machines."""
    listed = [Requirement(text) for text in lockinfo.dependency_lists()[kind]]
    return [r for r in listed if r.marker is None or r.marker.evaluate(TARGET)]


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_each_lock_was_made_from_this_pyproject(name: str) -> None:
    assert header(LOCKS[name], "pyproject") == lockinfo.digest(), f"lock/{name}.txt: {REGENERATE}"


@pytest.mark.parametrize(
    ("kind", "locks"),
    [("dependencies", ("app", "test")), ("optional-dependencies.test", ("test",)),
     ("tool.article-qa.test-no-deps", ("test",)), ("build-system.requires", ("build",))],
)
def test_every_requirement_in_pyproject_is_locked_at_a_version_it_allows(kind: str, locks: tuple[str, ...]) -> None:
    for name in locks:
        locked = entries(LOCKS[name])
        for requirement in requirements(kind):
            key = canonicalize_name(requirement.name)
            assert key in locked, f"{requirement} ({kind}) is not in lock/{name}.txt: {REGENERATE}"
            version = Version(locked[key][0])
            # `==2.13.0` allows 2.13.0+cpu: a local version label is ignored unless the pin names one.
            assert requirement.specifier.contains(version, prereleases=True), (
                f"lock/{name}.txt has {key}=={version}, pyproject.toml asks for {requirement}: {REGENERATE}"
            )


def test_every_locked_file_is_pinned_with_its_hashes() -> None:
    for name, lock in LOCKS.items():
        locked = entries(lock)
        assert locked, f"lock/{name}.txt locks nothing"
        for package, (_, hashes) in locked.items():
            assert hashes and all(h.startswith("sha256:") for h in hashes), f"lock/{name}.txt: {package} has no hash"


def test_the_app_profile_is_the_test_profile_without_the_test_packages() -> None:
    app, test = entries(LOCKS["app"]), entries(LOCKS["test"])
    different = {name: (app[name][0], test.get(name, ("absent",))[0]) for name in app if app[name] != test.get(name)}
    assert not different, f"lock/app.txt and lock/test.txt differ (app, test): {different}: {REGENERATE}"
    no_deps = {canonicalize_name(r.name) for r in requirements("tool.article-qa.test-no-deps")}
    assert len(app) < len(test) and not no_deps & app.keys(), "lock/app.txt holds the test profile"


def test_torch_is_the_cpu_build_and_nothing_of_cuda_is_locked() -> None:
    for name in ("app", "test"):
        locked = entries(LOCKS[name])
        assert locked["torch"][0].endswith("+cpu"), f"lock/{name}.txt: torch {locked['torch'][0]} is not the CPU build"
        assert len(locked["torch"][1]) == 1  # the one wheel in /opt/wheels
        cuda = sorted(p for p in locked if p.startswith(("nvidia-", "cuda-", "triton")))
        assert not cuda, f"lock/{name}.txt holds CUDA packages: {cuda}"


def test_every_lock_names_the_uv_that_made_it_which_lock_uv_pins() -> None:
    uv_version = entries(LOCKS["uv"])["uv"][0]
    for name, lock in LOCKS.items():
        assert header(lock, "resolver") == f"uv {uv_version}", f"lock/{name}.txt was made by another uv"


def test_the_suite_runs_in_the_test_profile_it_locks() -> None:
    """A .venv kept from older installs can pass (or fail) where a new machine's fails (or passes): fail instead."""
    wrong = {}
    for package, (version, _) in entries(LOCKS["test"]).items():
        try:
            installed = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            installed = "not installed"
        if installed == "not installed" or Version(installed) != Version(version):
            wrong[package] = f"{installed}, locked {version}"
    assert not wrong, f"this environment is not lock/test.txt (run `bash scripts/install.sh test`): {wrong}"
