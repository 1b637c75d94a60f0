"""Runs side by side: wandbkit, the official client (wandb 0.31.0) and raw httpx + json.

One local server (a separate process, SQLite file) seeded once with the benchmark data set
(default 2,000 runs x 1,000 steps x 5 metrics, plus one run of 100,000 steps for the scan);
every measurement runs in a fresh interpreter against it, one after the other, in one run.

    python benchmarks/bench_runs.py [--runs 2000] [--steps 1000] [--scan-steps 100000]
                                    [--only runs scan histories pages]

Times start once the client exists (import and construction are `bench_import.py`'s job).

Cases:
  runs+config+summary   iterate every run of the project reading config and summary
  scan_history          every row of the 100,000-step run, not kept; peak memory reported
  histories(100 runs)   sampled history of 100 runs (wandbkit: AsyncApi, concurrently); each
                        process takes the median of 3; medians of 3 processes per side,
                        the sides alternated
  per-page overhead     wandbkit's Runs(lazy=False) pages vs the same GraphQL by raw httpx + json
                        (each side: median of 3 walks per process, 3 processes alternated)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
WANDBKIT_CLI = str(Path(sys.executable).parent / "wandbkit")


# -- child measurements (each runs in its own interpreter) ---------------------------------


def _result(started: float, **extra: Any) -> dict[str, Any]:
    return {
        "seconds": time.perf_counter() - started,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **extra,
    }


def child_kit_runs(path: str, lazy: bool) -> dict[str, Any]:
    import wandbkit

    api = wandbkit.Api()
    _ = api.viewer  # like wandb.Api(), which checks the key: connection and imports are ready
    started = time.perf_counter()
    n = 0
    for run in api.runs(path, per_page=50, lazy=lazy):
        _ = run.config, run.summary_metrics
        n += 1
    return _result(started, runs=n)


def child_official_runs(path: str, lazy: bool) -> dict[str, Any]:
    import wandb

    api = wandb.Api()
    started = time.perf_counter()
    n = 0
    for run in api.runs(path, per_page=50, lazy=lazy):
        _ = run.config, run.summary_metrics
        n += 1
    return _result(started, runs=n)


def child_kit_scan(path: str, steps: int, trace: bool = False) -> dict[str, Any]:
    import wandbkit

    run = wandbkit.Api().run(path)
    if trace:  # tracemalloc slows allocation down: memory runs are not timed runs
        tracemalloc.start()
    started = time.perf_counter()
    n = 0
    for _row in run.scan_history(page_size=1000, max_step=steps):
        n += 1
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    return _result(started, rows=n, traced_peak_mb=peak)


def child_official_scan(path: str, steps: int, trace: bool = False) -> dict[str, Any]:
    import wandb

    run = wandb.Api().run(path)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    n = 0
    for _row in run.scan_history(page_size=1000, max_step=steps):
        n += 1
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    return _result(started, rows=n, traced_peak_mb=peak)


def _first_runs(count: int) -> dict[str, Any]:
    # The benchmark seed names runs b0000000, b0000001, ...
    return {"name": {"$in": [f"b{i:07d}" for i in range(count)]}}


def child_kit_histories(
    path: str, count: int, fmt: str = "default", repeat: int = 3
) -> dict[str, Any]:
    import asyncio

    import wandbkit

    async def main() -> tuple[list[float], int]:
        async with wandbkit.AsyncApi() as api:
            await api.viewer  # as in the other cases: the client is connected and imported
            times, rows = [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                runs = api.runs(path, _first_runs(count), per_page=count)
                rows = len(await runs.histories(samples=500, format=fmt))  # type: ignore[arg-type]
                times.append(time.perf_counter() - started)
            return times, rows

    times, rows = asyncio.run(main())
    return {"seconds": statistics.median(times), "rows": rows}


def child_official_histories(
    path: str, count: int, pandas: bool = False, repeat: int = 3
) -> dict[str, Any]:
    import wandb

    api = wandb.Api()
    times, rows = [], 0
    for _ in range(repeat):
        api.flush()  # no cached Runs between repeats: list again, as wandbkit does
        started = time.perf_counter()
        rows = 0
        for run in api.runs(path, _first_runs(count), per_page=count):
            rows += len(run.history(samples=500, pandas=pandas))
        times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times), "rows": rows}


def child_kit_pages(path: str, repeat: int) -> dict[str, Any]:
    import wandbkit

    api = wandbkit.Api()
    list(api.runs(path, per_page=50, lazy=False))  # warm: imports, connection, server caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for run in api.runs(path, per_page=50, lazy=False):
            _ = run.config, run.summary_metrics
        times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times)}


def child_raw_pages(path: str, repeat: int) -> dict[str, Any]:
    import inspect
    import re

    import httpx

    from wandbkit._generated.async_client import AsyncWandbClient  # for the query text only

    source = inspect.getsource(AsyncWandbClient.get_runs_full)
    query = re.search(r'gql\("""(.*?)"""\)', source, re.S).group(1)  # type: ignore[union-attr]
    entity, project = path.split("/")
    key, base = os.environ["WANDB_API_KEY"], os.environ["WANDB_BASE_URL"]

    def walk(client: httpx.Client) -> int:
        cursor, n = None, 0
        while True:
            variables = {"entity": entity, "project": project, "cursor": cursor, "perPage": 50}
            body = {"query": query, "variables": variables, "operationName": "GetRunsFull"}
            data = client.post(f"{base}/graphql", json=body).json()["data"]
            runs = data["project"]["runs"]
            for edge in runs["edges"]:
                node = edge["node"]
                _ = json.loads(node["config"]), json.loads(node["summaryMetrics"])
                n += 1
            if not runs["pageInfo"]["hasNextPage"]:
                return n
            cursor = runs["pageInfo"]["endCursor"]

    with httpx.Client(auth=("api", key), timeout=60) as client:
        walk(client)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            walk(client)
            times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times)}


CHILDREN = {
    "kit_runs": child_kit_runs,
    "official_runs": child_official_runs,
    "kit_scan": child_kit_scan,
    "official_scan": child_official_scan,
    "kit_histories": child_kit_histories,
    "official_histories": child_official_histories,
    "kit_pages": child_kit_pages,
    "raw_pages": child_raw_pages,
}


# -- the parent: seed, serve, measure, report --------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _measure(env: dict[str, str], case: str, *args: Any) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HERE), "--child", case, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"{case} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def seed(db: Path, runs: int, steps: int, scan_steps: int) -> tuple[str, dict[str, str]]:
    from wandbkit.server import Store, seed_basic
    from wandbkit.server.seed import seed_runs_benchmark

    store = Store(db)
    account = seed_basic(store)
    started = time.perf_counter()
    seed_runs_benchmark(store, project="bench", runs=runs, steps=steps, metrics=5)
    seed_runs_benchmark(store, project="bench-scan", runs=1, steps=scan_steps, metrics=5)
    print(
        f"seeded {runs} runs x {steps} steps + 1 run x {scan_steps} steps "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    store.close()
    return account.entity, {"WANDB_API_KEY": account.api_key}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--scan-steps", type=int, default=100_000)
    parser.add_argument("--histories", type=int, default=100)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=CASE_GROUPS,
        default=list(CASE_GROUPS),
        help="measure only these cases (default: all)",
    )
    args = parser.parse_args()
    if args.child:
        case, *rest = args.child
        fn = CHILDREN[case]
        typed = [
            int(a) if a.isdigit() else (a == "True") if a in ("True", "False") else a for a in rest
        ]
        print(json.dumps(fn(*typed)))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="wandbkit-bench-"))
    home = tmp / "home"
    home.mkdir()
    try:
        entity, secret = seed(tmp / "bench.db", args.runs, args.steps, args.scan_steps)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                WANDBKIT_CLI,
                "server",
                "--port",
                str(port),
                "--db",
                str(tmp / "bench.db"),
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            import httpx

            for _ in range(300):
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
            env.update(secret)
            env.update(
                WANDB_BASE_URL=base_url,
                HOME=str(home),
                WANDB_SILENT="true",
                WANDB_ERROR_REPORTING="false",
                WANDB_DIR=str(home),
                WANDB_CONFIG_DIR=str(home),
                WANDB_CACHE_DIR=str(home),
                WANDB_DATA_DIR=str(home),
                NO_PROXY="*",
            )
            report(env, f"{entity}/bench", f"{entity}/bench-scan/b0000000", args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


CASE_GROUPS = ("runs", "scan", "histories", "pages")


def report(env: dict[str, str], path: str, scan_path: str, args: argparse.Namespace) -> None:
    rows: list[tuple[str, str, str, str]] = []

    def line(case: str, kit: float, other: float, against: str, note: str = "") -> None:
        rows.append(
            (case, f"{kit:8.2f} s", f"{other:8.2f} s {against}", f"{other / kit:5.2f}x {note}")
        )
        print(f"  {rows[-1][0]:<34} {rows[-1][1]} | {rows[-1][2]:<26} | {rows[-1][3]}", flush=True)

    print(f"\n{'case':<36} {'wandbkit':>10} | {'other':<26} | ratio", flush=True)
    if "runs" in args.only:
        _report_runs(env, path, args, line)
    if "scan" in args.only:
        _report_scan(env, scan_path, args, line)
    if "histories" in args.only:
        _report_histories(env, path, args, line)
    if "pages" in args.only:
        _report_pages(env, path)


#: The report's line printer: case, wandbkit seconds, other seconds, what "other" is[, note].
Line = Callable[..., None]


def _report_runs(env: dict[str, str], path: str, args: argparse.Namespace, line: Line) -> None:
    kit_lazy = _measure(env, "kit_runs", path, True)
    kit_full = _measure(env, "kit_runs", path, False)
    off_lazy = _measure(env, "official_runs", path, True)
    off_full = _measure(env, "official_runs", path, False)
    line(
        f"{args.runs} runs config+summary (lazy)",
        kit_lazy["seconds"],
        off_lazy["seconds"],
        "official lazy",
    )
    line(
        f"{args.runs} runs config+summary (full)",
        kit_full["seconds"],
        off_full["seconds"],
        "official full",
    )


def _report_scan(env: dict[str, str], scan_path: str, args: argparse.Namespace, line: Line) -> None:
    small = max(args.scan_steps // 10, 1000)
    kit_scan = _measure(env, "kit_scan", scan_path, args.scan_steps)
    off_scan = _measure(env, "official_scan", scan_path, args.scan_steps)
    kit_mem = _measure(env, "kit_scan", scan_path, args.scan_steps, True)
    kit_mem_small = _measure(env, "kit_scan", scan_path, small, True)
    off_mem = _measure(env, "official_scan", scan_path, args.scan_steps, True)
    line(
        f"scan_history {args.scan_steps} rows", kit_scan["seconds"], off_scan["seconds"], "official"
    )
    print(
        f"  {'':<34} python heap peak during the scan: wandbkit "
        f"{kit_mem_small['traced_peak_mb']:.2f} MB at {small} rows, "
        f"{kit_mem['traced_peak_mb']:.2f} MB at {args.scan_steps} rows; "
        f"official {off_mem['traced_peak_mb']:.2f} MB at {args.scan_steps} rows",
        flush=True,
    )


def _alternated(
    env: dict[str, str], kit: tuple[Any, ...], other: tuple[Any, ...]
) -> tuple[float, float]:
    """Medians of ROUNDS fresh processes per side, the sides alternated: a slow spell of the
    machine (or of the shared server) then hits both alike instead of one side's only run."""
    kit_times, other_times = [], []
    for _ in range(ROUNDS):
        kit_times.append(_measure(env, *kit)["seconds"])
        other_times.append(_measure(env, *other)["seconds"])
    return statistics.median(kit_times), statistics.median(other_times)


#: Processes per side for the alternated cases.
ROUNDS = 3


def _report_histories(env: dict[str, str], path: str, args: argparse.Namespace, line: Line) -> None:
    n = args.histories
    kit, official = _alternated(env, ("kit_histories", path, n), ("official_histories", path, n))
    line(f"histories of {n} runs (dicts)", kit, official, "official loop")
    kit, official = _alternated(
        env, ("kit_histories", path, n, "pandas"), ("official_histories", path, n, True)
    )
    line(f"histories of {n} runs (pandas)", kit, official, "official loop")


def _report_pages(env: dict[str, str], path: str) -> None:
    kit, raw = _alternated(env, ("kit_pages", path, 3), ("raw_pages", path, 3))
    overhead = kit / raw
    print(
        f"  {'per-page overhead (lazy=False)':<34} {kit:8.2f} s | "
        f"{raw:8.2f} s raw httpx+json | wandbkit/raw = {overhead:.2f} "
        f"({'within' if overhead <= 1.3 else 'OVER'} 1.3)",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
