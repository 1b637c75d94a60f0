"""Writing runs into the local server: the ingest rate of ``file_stream``, and the wandbkit
writer against the official SDK logging the same rows.

The server runs in its own process (``wandbkit server``, a SQLite file), as a training job
would see it. Three measurements:

1. **ingest**: ``--rows`` history rows (7 metrics each, as wandb-core formats them) POSTed to
   one run's ``file_stream`` in bodies of ``--batch`` rows, one after the other as wandb-core
   sends them; rows per second from the first POST to the last answer. Target: >= 50,000.
2. **writer**: ``api.write_run()`` logging ``--compare`` rows, from the start until the run is
   ``finished`` with every row readable through the API.
3. **sdk**: the official SDK (``wandb.init``/``log``/``finish`` in a fresh Python process, as a
   training script runs) logging the same rows, timed the same way. Skipped without ``wandb``.

    python benchmarks/bench_ingest.py [--rows 200000] [--batch 10000] [--compare 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

import wandbkit
from wandbkit.server import Store, seed_basic
from wandbkit.server.sdk_env import official_sdk_environment

UPSERT = (
    "mutation($name: String, $project: String) { upsertBucket(input: {name: $name,"
    " modelName: $project}) { bucket { id } } }"
)
SDK_SCRIPT = """
import sys, wandb
rows = int(sys.argv[1])
run = wandb.init(project="bench-sdk", id="sdk")
for step in range(rows):
    wandb.log({"loss": 1 / (step + 1), "acc": step / rows, "lr": 0.01, "epoch": step // 1000})
run.finish()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(db: Path) -> Iterator[tuple[str, str, str]]:
    """``wandbkit server`` on a free port over ``db``: ``(base_url, api_key, entity)``."""
    store = Store(db)
    account = seed_basic(store)
    store.close()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = "import sys; from wandbkit.cli import main; sys.exit(main())"
    arguments = ["server", "--port", str(port), "--db", str(db), "--log-level", "warning"]
    server = subprocess.Popen(
        [sys.executable, "-c", command, *arguments],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base_url, account.api_key, account.entity
    finally:
        server.terminate()
        server.wait(timeout=30)


def sdk_lines(first: int, count: int) -> list[str]:
    """History lines as wandb-core sends them (compact JSON, bookkeeping keys included)."""
    return [
        json.dumps(
            {
                "loss": 1 / (step + 1),
                "acc": step / 1e5,
                "lr": 0.01,
                "epoch": step // 1000,
                "_step": step,
                "_runtime": step * 0.01,
                "_timestamp": 1.7e9 + step * 0.01,
            },
            separators=(",", ":"),
        )
        for step in range(first, first + count)
    ]


def bench_ingest(base_url: str, api_key: str, entity: str, rows: int, batch: int) -> float:
    """Rows per second into one run's ``file_stream``."""
    auth = httpx.BasicAuth("api", api_key)
    with httpx.Client(base_url=base_url, auth=auth, timeout=120) as client:
        answer = client.post(
            "/graphql", json={"query": UPSERT, "variables": {"name": "ingest", "project": "bench"}}
        )
        answer.raise_for_status()
        bodies = [
            json.dumps(
                {"files": {"wandb-history.jsonl": {"offset": o, "content": sdk_lines(o, batch)}}}
            ).encode()
            for o in range(0, rows, batch)
        ]
        url = f"/files/{entity}/bench/ingest/file_stream"
        headers = {"Content-Type": "application/json"}
        started = time.perf_counter()
        for body in bodies:
            client.post(url, content=body, headers=headers).raise_for_status()
        elapsed = time.perf_counter() - started
        done = client.post(url, json={"complete": True, "exitcode": 0})
        done.raise_for_status()
    with wandbkit.Api(api_key=api_key, base_url=base_url) as api:
        run = api.run(f"{entity}/bench/ingest")
        assert run.history_line_count == rows, run.history_line_count
    return rows / elapsed


def readable(api: wandbkit.Api, path: str, rows: int) -> None:
    """Wait until the run is finished with ``rows`` history rows, its last row readable."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            run = api.run(path)
        except wandbkit.NotFoundError:
            run = None
        if run is not None and run.state == "finished" and run.history_line_count == rows:
            last = list(run.scan_history(min_step=rows - 1))
            assert last and last[-1]["_step"] == rows - 1
            return
        time.sleep(0.05)
    raise TimeoutError(f"{path} did not become readable")


def bench_writer(base_url: str, api_key: str, entity: str, rows: int) -> float:
    """Seconds for the wandbkit writer to log ``rows`` rows until they are readable."""
    started = time.perf_counter()
    with wandbkit.Api(api_key=api_key, base_url=base_url) as api:
        with api.write_run(project="bench-writer", run_id="writer", max_rows=10_000) as run:
            for step in range(rows):
                run.log(
                    {"loss": 1 / (step + 1), "acc": step / rows, "lr": 0.01, "epoch": step // 1000}
                )
        readable(api, f"{entity}/bench-writer/writer", rows)
    return time.perf_counter() - started


def bench_sdk(base_url: str, api_key: str, entity: str, rows: int, scratch: Path) -> float:
    """Seconds for the official SDK (a fresh process) to log ``rows`` rows until readable."""
    env = {**os.environ, **official_sdk_environment(base_url, api_key, scratch)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SDK_SCRIPT, str(rows)],
        env=env,
        check=True,
        cwd=scratch,
        stdout=subprocess.DEVNULL,
    )
    with wandbkit.Api(api_key=api_key, base_url=base_url) as api:
        readable(api, f"{entity}/bench-sdk/sdk", rows)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--compare", type=int, default=100_000)
    parser.add_argument("--skip-sdk", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wandbkit-ingest-"))
    # Other work on the machine shows in every number below: say how busy it was.
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the start")
    try:
        with server_process(tmp / "ingest.db") as (base_url, api_key, entity):
            rate = bench_ingest(base_url, api_key, entity, args.rows, args.batch)
            verdict = "ok" if rate >= 50_000 else "BELOW the 50,000 target"
            print(
                f"ingest: {args.rows:,} rows in bodies of {args.batch:,}: {rate:,.0f} rows/s"
                f" ({verdict})"
            )
            seconds = bench_writer(base_url, api_key, entity, args.compare)
            print(
                f"writer: {args.compare:,} rows logged and readable in {seconds:.2f} s"
                f" ({args.compare / seconds:,.0f} rows/s)"
            )
            try:
                import wandb  # noqa: F401
            except ImportError:
                args.skip_sdk = True
            if args.skip_sdk:
                print("sdk: skipped (wandb not installed or --skip-sdk)")
            else:
                sdk_seconds = bench_sdk(base_url, api_key, entity, args.compare, tmp / "sdk")
                print(
                    f"sdk: {args.compare:,} rows logged and readable in {sdk_seconds:.2f} s"
                    f" ({args.compare / sdk_seconds:,.0f} rows/s); the writer took"
                    f" {seconds / sdk_seconds:.2f}x the SDK's time"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
