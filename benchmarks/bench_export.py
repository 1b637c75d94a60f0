"""Export a project to Parquet: ``wandbkit export`` vs the official client's recipe.

One local server (a separate process, SQLite file) seeded with ``wandbkit server seed
--bench-runs`` (default 2,000 runs x 1,000 steps x 5 metrics); both sides export the same
project in one run, one after the other, each in a fresh interpreter:

  wandbkit   ``wandbkit.export.export_project`` (AsyncApi, at most 8 history requests in
             flight, 10 runs' histories per request): runs table + one Parquet file per run
  official   the documented recipe with wandb 0.31.0: for each run of ``api.runs(path)``,
             ``pd.DataFrame(run.scan_history())`` then ``df.to_parquet(...)``; and the runs
             table (name, config, summary) as a DataFrame written to Parquet

    python benchmarks/bench_export.py [--runs 2000] [--steps 1000] [--metrics 5]

Times start once the client exists and has reached the server, with each side's libraries
imported (pandas; wandbkit also pyarrow) — import and construction are ``bench_import.py``'s
job. Both sides' outputs are read back and their row counts compared.
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
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
WANDBKIT_CLI = str(Path(sys.executable).parent / "wandbkit")


# -- child measurements (each runs in its own interpreter) ---------------------------------


def child_kit(path: str, out: str) -> dict[str, Any]:
    import asyncio

    # pyarrow loads pandas on its first array; the official side imports pandas too.
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import wandbkit
    from wandbkit.export import export_project

    async def main() -> dict[str, Any]:
        async with wandbkit.AsyncApi() as api:
            await api.viewer
            started = time.perf_counter()
            result = await export_project(api, path, out)
            return {
                "seconds": time.perf_counter() - started,
                "runs": result.runs,
                "rows": result.history_rows,
            }

    return asyncio.run(main())


def child_official(path: str, out: str) -> dict[str, Any]:
    import pandas as pd
    import wandb

    api = wandb.Api()
    folder = Path(out)
    (folder / "history").mkdir(parents=True)
    started = time.perf_counter()
    names, configs, summaries, rows = [], [], [], 0
    for run in api.runs(path):
        history = pd.DataFrame(run.scan_history())
        history.to_parquet(folder / "history" / f"{run.id}.parquet")
        rows += len(history)
        names.append(run.name)
        configs.append({k: v for k, v in run.config.items() if not k.startswith("_")})
        summaries.append(run.summary._json_dict)
    runs = pd.DataFrame({"name": names, "config": configs, "summary": summaries})
    runs.to_parquet(folder / "runs.parquet")
    return {"seconds": time.perf_counter() - started, "runs": len(names), "rows": rows}


CHILDREN = {"kit": child_kit, "official": child_official}


# -- the parent: seed, serve, measure, report --------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _measure(env: dict[str, str], case: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HERE), "--child", case, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=7200,
    )
    if done.returncode != 0:
        raise SystemExit(f"{case} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _read_back(folder: Path) -> int:
    import polars as pl

    return pl.scan_parquet(folder / "history" / "*.parquet").select(pl.len()).collect().item()


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--metrics", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        case, *rest = args.child
        print(json.dumps(CHILDREN[case](*rest)))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="wandbkit-bench-export-"))
    home = tmp / "home"
    home.mkdir()
    db = tmp / "bench.db"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        sizes = ["--bench-runs", str(args.runs), "--bench-steps", str(args.steps)]
        seeded = subprocess.run(
            [
                WANDBKIT_CLI,
                "server",
                "seed",
                "--db",
                str(db),
                "--base-url",
                base_url,
                *sizes,
                "--bench-metrics",
                str(args.metrics),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        settings = dict(line.split("=", 1) for line in seeded.stdout.splitlines())
        print(
            f"seeded {args.runs} runs x {args.steps} steps x {args.metrics} metrics "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        server = subprocess.Popen(
            [
                WANDBKIT_CLI,
                "server",
                "--port",
                str(port),
                "--db",
                str(db),
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
            env.update(settings)
            env.update(
                HOME=str(home),
                WANDB_SILENT="true",
                WANDB_ERROR_REPORTING="false",
                WANDB_DIR=str(home),
                WANDB_CONFIG_DIR=str(home),
                WANDB_CACHE_DIR=str(home),
                WANDB_DATA_DIR=str(home),
                NO_PROXY="*",
            )
            report(env, "demo/bench", tmp, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(env: dict[str, str], path: str, tmp: Path, args: argparse.Namespace) -> None:
    kit_out, official_out = tmp / "kit", tmp / "official"
    kit = _measure(env, "kit", path, str(kit_out))
    official = _measure(env, "official", path, str(official_out))
    kit_rows, official_rows = _read_back(kit_out), _read_back(official_out)
    expected = args.runs * args.steps
    same = kit_rows == official_rows == kit["rows"] == official["rows"] == expected
    print(f"\nexport {args.runs} runs x {args.steps} steps to Parquet", flush=True)
    for name, result, folder, rows in (
        ("wandbkit export", kit, kit_out, kit_rows),
        ("official scan_history+pandas", official, official_out, official_rows),
    ):
        print(
            f"  {name:<30} {result['seconds']:8.2f} s  {rows:>10,} rows read back  "
            f"{_size_mb(folder):7.1f} MB",
            flush=True,
        )
    ratio = official["seconds"] / kit["seconds"]
    print(
        f"  ratio official/wandbkit = {ratio:.2f}x ({'meets' if ratio >= 5 else 'BELOW'} 5x); "
        f"row counts {'equal' if same else 'DIFFER'} ({expected:,} expected)",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
