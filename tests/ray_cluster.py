"""A real Ray cluster on loopback for tests and bench/ray_ingest.py: a head on 127.0.0.2 and worker
nodes on 127.0.0.3 and up (Ray would replace 127.0.0.1 with the machine's network address), each a
`ray start --block` process in its own session, with token authentication (a fresh token, passed in
RAY_AUTH_TOKEN to the nodes and to drivers, so nothing is written to ~/.ray), no dashboard, a small
object store, and the temp dir in a short folder under /tmp (Ray's Unix socket paths must stay under
~107 characters). Stopped by the PIDs it started: gcs_server and raylet ignore SIGTERM, so every
process of the nodes' trees still alive after a grace period is killed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psutil

RAY = Path(sys.executable).with_name("ray")
HEAD_IP = "127.0.0.2"
OBJECT_STORE_BYTES = 100_000_000  # Ray's minimum is about 75 MB
START_SECONDS = 180  # a node starts in 10-30 s on a loaded two-core machine


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextmanager
def loopback_cluster(workers: int, *, cpus_per_node: float = 1, head_cpus: float | None = None) -> Iterator[dict]:
    """Yield the environment a driver needs (RAY_ADDRESS, RAY_AUTH_MODE, RAY_AUTH_TOKEN, RAY_TMPDIR) for
    a cluster of a head and ``workers`` worker nodes; ``head_cpus`` (default ``cpus_per_node``) is what
    the head offers to tasks and actors."""
    folder = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    port = free_port(HEAD_IP)
    env = {
        **os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
        "RAY_TMPDIR": str(folder), "RAY_USAGE_STATS_ENABLED": "0",
    }
    env.pop("RAY_ADDRESS", None)
    common = [
        "--block", "--object-store-memory", str(OBJECT_STORE_BYTES), "--temp-dir", str(folder / "t"),
        "--disable-usage-stats",
    ]
    nodes: list[subprocess.Popen] = []
    try:
        nodes.append(_start(
            [str(RAY), "start", "--head", "--node-ip-address", HEAD_IP, "--port", str(port),
             "--num-cpus", str(cpus_per_node if head_cpus is None else head_cpus), "--include-dashboard=false",
             *common], env, folder / "head.log",
        ))
        _wait_for_nodes(env, port, 1)
        for number in range(workers):
            nodes.append(_start(
                [str(RAY), "start", "--address", f"{HEAD_IP}:{port}", "--node-ip-address", f"127.0.0.{3 + number}",
                 "--num-cpus", str(cpus_per_node), *common], env, folder / f"worker{number}.log",
            ))
            _wait_for_nodes(env, port, 2 + number)  # one at a time: two starting at once time out when busy
        yield {**env, "RAY_ADDRESS": f"{HEAD_IP}:{port}"}
    except RuntimeError as error:
        logs = "".join(f"\n--- {log.name}:\n{log.read_text(errors='replace')[-2000:]}" for log in folder.glob("*.log"))
        raise RuntimeError(f"{error}{logs}") from error
    finally:
        _stop(nodes)
        shutil.rmtree(folder, ignore_errors=True)


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for_nodes(env: dict, port: int, count: int) -> None:
    """Until the cluster's GCS lists ``count`` live nodes (asked from a child process, so that this one
    never imports ray)."""
    probe = (
        "import ray, sys\n"
        f"ray.init(address='{HEAD_IP}:{port}', logging_level='ERROR', log_to_driver=False)\n"
        "sys.exit(0 if sum(node['Alive'] for node in ray.nodes()) >= int(sys.argv[1]) else 1)\n"
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        checked = subprocess.run([sys.executable, "-c", probe, str(count)], env=env, capture_output=True, timeout=120)
        if checked.returncode == 0:
            return
        time.sleep(2)
    raise RuntimeError(f"the Ray cluster did not reach {count} nodes in {START_SECONDS} s")


def _stop(nodes: list[subprocess.Popen]) -> None:
    tree: list[psutil.Process] = []
    for node in nodes:
        try:
            tree += psutil.Process(node.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
    for node in reversed(nodes):  # workers first, then the head
        node.terminate()
    for node in nodes:
        try:
            node.wait(timeout=15)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
    _, alive = psutil.wait_procs(tree, timeout=5)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
