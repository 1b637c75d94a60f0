"""Load on the local server: N concurrent ``AsyncApi`` clients reading and writing for a while.

The server runs in its own process (``wandbkit server``, a SQLite file), the clients in this
one, over loopback. Each client loops for ``--seconds``: create a run, read it back, page the
project's runs (one page), set the run's summary. At the end every created run is listed once
(none lost, none twice) and the server answered no 5xx; latency percentiles per operation and
the overall throughput are printed.

    python benchmarks/bench_load.py [--clients 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

import wandbkit
from wandbkit.server import Store, seed_basic

WANDBKIT_CLI = str(Path(sys.executable).with_name("wandbkit"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Timings:
    """Latencies per operation, in seconds."""

    def __init__(self) -> None:
        self.samples: defaultdict[str, list[float]] = defaultdict(list)

    async def time(self, name: str, work: asyncio.Future[object] | object) -> object:
        started = time.perf_counter()
        result = await work  # type: ignore[misc]
        self.samples[name].append(time.perf_counter() - started)
        return result


async def client(
    number: int, base_url: str, api_key: str, entity: str, deadline: float, timings: Timings
) -> list[str]:
    created: list[str] = []
    async with wandbkit.AsyncApi(api_key=api_key, base_url=base_url) as api:
        while time.perf_counter() < deadline:
            run_id = f"c{number:03d}-{len(created):05d}"
            run = await timings.time(
                "create_run", api.create_run(run_id=run_id, project="load", entity=entity)
            )
            created.append(run_id)
            run = await timings.time("run", api.run(f"{entity}/load/{run_id}"))
            page = api.runs(f"{entity}/load", per_page=20)
            await timings.time("runs page", _first_page(page))
            await timings.time("summary.update", run.summary.update({"client": number}))  # type: ignore[attr-defined]
    return created


async def _first_page(runs: wandbkit.AsyncRuns) -> None:
    async for _ in runs:
        break


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(base_url: str, api_key: str, entity: str, clients: int, seconds: float) -> None:
    timings = Timings()
    started = time.perf_counter()
    deadline = started + seconds
    results = await asyncio.gather(
        *(client(i, base_url, api_key, entity, deadline, timings) for i in range(clients))
    )
    elapsed = time.perf_counter() - started
    created = [run_id for ids in results for run_id in ids]
    async with wandbkit.AsyncApi(api_key=api_key, base_url=base_url) as api:
        listed = [run.id async for run in api.runs(f"{entity}/load", per_page=500)]
    total = sum(len(v) for v in timings.samples.values())
    print(f"{clients} clients, {elapsed:.1f} s: {total} requests, {total / elapsed:.0f} req/s")
    print(f"{'operation':<16}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for name, values in timings.samples.items():
        print(
            f"{name:<16}{len(values):>8}{percentile(values, 0.5) * 1e3:>10.1f}"
            f"{percentile(values, 0.99) * 1e3:>10.1f}{statistics.fmean(values) * 1e3:>10.1f}"
        )
    lost = Counter(created) - Counter(listed)
    doubled = Counter(listed) - Counter(created)
    print(
        f"runs created {len(created)}, listed {len(listed)}: lost {len(lost)}, twice {len(doubled)}"
    )
    if lost or doubled:
        raise SystemExit("writes were lost or duplicated")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wandbkit-load-"))
    try:
        store = Store(tmp / "load.db")
        account = seed_basic(store)
        store.close()
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                WANDBKIT_CLI,
                "server",
                "--port",
                str(port),
                "--db",
                str(tmp / "load.db"),
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            asyncio.run(
                drive(base_url, account.api_key, account.entity, args.clients, args.seconds)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
