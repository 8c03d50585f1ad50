"""Memory of the OpenVINO backend against the number of distinct input shapes it has run (issue 14, item 5).

Batches are padded to their longest text (qa/embed/tokens.py), so each (batch size, width) pair is a new
input shape for the compiled model. OpenVINO's CPU plugin keeps what it builds for each shape in a
runtime cache of up to CPU_RUNTIME_CACHE_CAPACITY entries (5,000 by default). The soak's server RSS
kept growing under search load alone, and this shows why: random shapes, embedded one batch after
another, with the capacity as given (``default`` leaves OpenVINO's own).

    .venv/bin/python bench/shape_memory.py --capacity default
    .venv/bin/python bench/shape_memory.py --capacity 64
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORDS = "the president said on tuesday that the new plan would cut costs for families across the country".split()


def rss_mb() -> int:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capacity", default="default", help="CPU_RUNTIME_CACHE_CAPACITY, or 'default'")
    parser.add_argument("--batches", type=int, default=600)
    args = parser.parse_args()
    if args.capacity != "default":
        import openvino as ov

        compile_model = ov.Core.compile_model

        def capped(core, model, device, config):
            return compile_model(core, model, device, {**config, "CPU_RUNTIME_CACHE_CAPACITY": args.capacity})

        ov.Core.compile_model = capped
    from qa.embed import load_embedder

    embedder = load_embedder("all-MiniLM-L6-v2", "openvino-int8")
    chooser = random.Random(1)
    embedder.embed_documents(["warm up"])
    start, cpu = rss_mb(), time.process_time()
    for number in range(1, args.batches + 1):
        size, width = chooser.randint(1, 32), chooser.randint(2, 60)
        embedder.embed_documents([" ".join(chooser.choice(WORDS) for _ in range(width)) for _ in range(size)])
        if number % 150 == 0:
            print(f"{number} batches: RSS {rss_mb()} MB", flush=True)
    print(f"capacity {args.capacity}: RSS {start} -> {rss_mb()} MB, {time.process_time() - cpu:.1f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
