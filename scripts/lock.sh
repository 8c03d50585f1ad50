#!/usr/bin/env bash
# Regenerates the locks under lock/ from pyproject.toml. Run it after changing pyproject.toml's
# dependencies, its test extra, [tool.article-qa] test-no-deps or [build-system], then run the suite
# and commit lock/ with pyproject.toml (tests/test_lock.py fails while they disagree):
#     bash scripts/lock.sh             # keeps every locked version that pyproject.toml still allows
#     bash scripts/lock.sh --upgrade   # also moves every transitive dependency to its newest release
# Another uv: write `uv==VERSION` (no hashes) in lock/uv.txt, then run this; it adds their hashes.
#
#   lock/test.txt   the test profile: the app, its test extra, test-no-deps (without their dependencies)
#   lock/app.txt    the app profile (scripts/run.sh): the app alone, at the versions of lock/test.txt
#   lock/build.txt  what the source builds need (article-qa itself, llama-cpp-python's sdist)
#   lock/uv.txt     the uv that makes and installs them
# All for CPython 3.11 on x86_64 Linux with glibc 2.36, the kind of machine every developer and CI
# has; torch is the CPU build that /opt/wheels holds on each of them.
set -euo pipefail
cd "$(dirname "$0")/.."
upgrade=()
if [ "${1:-}" = "--upgrade" ]; then upgrade=(--upgrade); fi
uv="$(bash scripts/uv.sh)"
uv_version="$("$uv" --version | cut -d' ' -f2)"
digest="$(python3 scripts/lockinfo.py digest)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
compile=("$uv" pip compile --quiet --no-header --generate-hashes --find-links /opt/wheels
         --python-version 3.11 --python-platform x86_64-manylinux_2_36 "${upgrade[@]}")

header() {  # name, what it holds, how it is used
    printf '%s\n' \
        "# article-qa's locked $1 environment: $2." \
        "# For CPython 3.11 on x86_64 Linux (glibc 2.36). $3" \
        "# Made by scripts/lock.sh: regenerate it with that after changing pyproject.toml; don't edit it." \
        "# resolver: uv $uv_version" \
        "# pyproject: $digest" \
        ""
}

# uv prefers the versions already in an output file: start from the current locks.
for name in test app build; do
    if [ -f "lock/$name.txt" ]; then cp "lock/$name.txt" "$tmp/$name.txt"; fi
done

# The test profile. pip: python3 -m venv's own, kept (and pinned) in .venv.
echo pip > "$tmp/pip.in"
"${compile[@]}" --emit-find-links pyproject.toml --extra test "$tmp/pip.in" -o "$tmp/test.txt"
python3 scripts/lockinfo.py test-no-deps > "$tmp/no-deps.in"
if [ -s "$tmp/no-deps.in" ]; then
    "${compile[@]}" --no-deps "$tmp/no-deps.in" -o "$tmp/no-deps.txt"
    sed "s|# via -r .*|# via [tool.article-qa] test-no-deps (installed without its dependencies)|" \
        "$tmp/no-deps.txt" >> "$tmp/test.txt"
fi
# The app profile: a subset of the test profile, at the same versions.
"${compile[@]}" --emit-find-links pyproject.toml "$tmp/pip.in" -c "$tmp/test.txt" -o "$tmp/app.txt"
# Build requirements: article-qa's [build-system], and llama-cpp-python's (from its sdist's pyproject.toml;
# cmake and ninja are Debian's, which scikit-build-core finds and so does not ask for).
python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' \
    > "$tmp/build.in"
echo "scikit-build-core[pyproject]>=0.9.2" >> "$tmp/build.in"
"${compile[@]}" "$tmp/build.in" -c "$tmp/test.txt" -o "$tmp/build.txt"
# uv itself, for scripts/uv.sh.
echo "uv==$uv_version" > "$tmp/uv.in"
"${compile[@]}" "$tmp/uv.in" -o "$tmp/uv.txt"

mkdir -p lock
{ header test "pyproject.toml's dependencies and test extra, with [tool.article-qa] test-no-deps" \
      "scripts/install.sh test installs exactly this (uv pip sync --require-hashes); torch is /opt/wheels' CPU build."
  sed "s|$tmp/pip.in|scripts/lock.sh (python3 -m venv's pip)|" "$tmp/test.txt"; } > lock/test.txt
{ header app "pyproject.toml's dependencies, at the versions of lock/test.txt" \
      "scripts/install.sh (no profile) installs exactly this (uv pip sync --require-hashes); torch is /opt/wheels' CPU build."
  sed "s|$tmp/pip.in|scripts/lock.sh (python3 -m venv's pip)|; s|-c $tmp/test.txt|-c lock/test.txt|" "$tmp/app.txt"; } > lock/app.txt
{ header build "what building article-qa and llama-cpp-python's sdist needs" \
      "scripts/install.sh passes it to uv as --build-constraints."
  sed "s|-r $tmp/build.in|scripts/lock.sh|; s|-c $tmp/test.txt|-c lock/test.txt|" "$tmp/build.txt"; } > lock/build.txt
{ header tools "the uv that makes and installs the others" "scripts/uv.sh installs it with pip, hash-checked."
  sed "s|-r $tmp/uv.in|scripts/lock.sh|" "$tmp/uv.txt"; } > lock/uv.txt
echo "lock/: $(grep -c '^[a-z0-9]' lock/test.txt) packages (test), $(grep -c '^[a-z0-9]' lock/app.txt) (app); uv $uv_version" >&2
