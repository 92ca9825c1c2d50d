"""The server under test: the production command (gunicorn workers on a read-only on-disk store),
started on a free 127.0.0.1 port, watched for memory through /proc, and stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
#: Seconds: a 1M-triple store opens in seconds, but each worker builds the read model of its content
#: before it answers (about 100 s of CPU at 1M); on a busy machine that takes minutes. Bounds a hang.
START_TIMEOUT = 3600.0  # a 10M start: the read model (and a memory copy) take minutes per worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_command(port: int, workers: int, app: str | None = None) -> list[str]:
    """`claimgraph serve --production` with ``workers`` workers, as the README's production command
    runs it; for another ``app`` (the baseline), gunicorn with claimgraph's configuration.

    Without gunicorn's control socket, whose default path (~/.gunicorn/gunicorn.ctl) every other
    gunicorn on the machine (another engineer's test server) shares.
    """
    if app is None:
        return [
            str(BIN / "claimgraph"),
            "serve",
            "--production",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
        ]
    return [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        # The baseline app lives in bench/, at the checkout's root (the package is under service/).
        "--pythonpath",
        str(Path(__file__).resolve().parent.parent),
        "--config",
        "python:claimgraph.gunicorn_conf",
        app,
    ]


#: The README's production settings, besides the store and the base.
PRODUCTION_SETTINGS = {"CLAIMGRAPH_STORE_READ_ONLY": "true"}
#: client_query_seconds for a server the bench times: one client timing every example query many
#: times (minutes of query time at 1M) is past fair use's budget, and a 429 is not a timing. Fair use
#: is measured by bench/abuse.py.
TIMING_CLIENT_SECONDS = "100000"


def server_env(store: Path, base: str, port: int) -> dict[str, str]:
    """The production settings; everything else (the guard, the time limit, the caps) at its default."""
    return {
        **os.environ,
        **PRODUCTION_SETTINGS,
        "CLAIMGRAPH_STORE_PATH": str(store.resolve()),
        "CLAIMGRAPH_BASE_IRI": base,
        "CLAIMGRAPH_PORT": str(port),
    }


def baseline_env(generation: Path, base: str) -> dict[str, str]:
    """bench/baseline.py's settings: the same store generation, opened directly."""
    return {**os.environ, "BASELINE_STORE": str(generation.resolve()), "BASELINE_BASE": base}


# -- memory ------------------------------------------------------------------------------------


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (gunicorn workers, their query processes), from /proc."""
    return [pid for pid, _ in tree(root)]


def tree(root: int) -> list[tuple[int, int]]:
    """(pid, depth) of ``root`` (depth 0) and of every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [(root, 0)]
    while todo:
        pid, depth = todo.pop()
        found.append((pid, depth))
        todo.extend((child, depth + 1) for child in children.get(pid, ()))
    return found


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds (user + system) so far of ``root``'s tree, by depth: 0 gunicorn's master, 1 its
    workers, 2 and more their query processes (the zygote and the workers it forks)."""
    ticks = os.sysconf("SC_CLK_TCK")
    by_depth: dict[int, float] = {}
    for pid, depth in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        by_depth[depth] = by_depth.get(depth, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return by_depth


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) once it is gone."""
    rss = pss = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


@dataclass
class MemoryWatch:
    """Samples the summed RSS and PSS of a process tree every ``interval`` seconds, keeping the peaks."""

    root: int
    interval: float = 0.25
    peak_rss_kb: int = 0
    peak_pss_kb: int = 0
    peak_processes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        pids = descendants(self.root)
        sizes = [memory_kb(pid) for pid in pids]
        self.peak_rss_kb = max(self.peak_rss_kb, sum(r for r, _ in sizes))
        self.peak_pss_kb = max(self.peak_pss_kb, sum(p for _, p in sizes))
        self.peak_processes = max(self.peak_processes, sum(1 for r, _ in sizes if r))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.sample()


# -- the server --------------------------------------------------------------------------------


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT/
    process: subprocess.Popen[bytes]
    start_seconds: float
    memory: MemoryWatch


@contextlib.contextmanager
def serve(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    """Run ``command`` (a server on 127.0.0.1:``port``) until the block ends."""
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    memory = MemoryWatch(process.pid)
    memory.start()
    try:
        wait_for_health(process, url, log)
        yield Server(url, process, time.perf_counter() - started, memory)
    finally:
        memory.stop()
        stop(process)


def wait_for_health(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url + "health", timeout=2).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the server did not answer /health within {START_TIMEOUT:g} s; log: {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gunicorn, then make sure nothing of its tree is left (by pid and start time)."""
    tree = [(pid, _start_time(pid)) for pid in descendants(process.pid)[1:]]
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_start_time(pid) == started for pid, started in tree):
        time.sleep(0.1)
    for pid, started in tree:
        if started is not None and _start_time(pid) == started:  # the same process, not a reused pid
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _start_time(pid: int) -> str | None:
    """The start time field of /proc/PID/stat (None when gone or a zombie): tells a pid's reuse apart."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]
