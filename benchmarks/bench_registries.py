"""Registry versions side by side: wandbkit against the official client (wandb 0.31.0).

One local server (a separate process, SQLite file) seeded once, in the store and with bulk
inserts, with 20 registries x 50 collections x 10 linked versions (every tenth version tagged
``gold``: 1,000 matches); each measurement runs in a fresh interpreter against it, the two
sides alternated, and the median of ``--repeat`` processes per side is reported.

    python benchmarks/bench_registries.py [--registries 20] [--collections 50] [--versions 10]
                                          [--repeat 3]

Case: ``api.registries(organization).versions(filter={"tag": "gold"})`` iterated to the end,
reading each version's name, aliases and metadata. Times start once the client exists.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
WANDBKIT_CLI = str(Path(sys.executable).parent / "wandbkit")
TAG_FILTER = {"tag": "gold"}


def child_kit(organization: str) -> dict[str, Any]:
    import wandbkit

    api = wandbkit.Api()
    _ = api.viewer  # like wandb.Api(), which checks the key: connection and imports are ready
    started = time.perf_counter()
    n = 0
    for version in api.registries(organization=organization).versions(filter=TAG_FILTER):
        _ = version.name, version.aliases, version.metadata
        n += 1
    return {"seconds": time.perf_counter() - started, "versions": n}


def child_official(organization: str) -> dict[str, Any]:
    import wandb

    api = wandb.Api()
    started = time.perf_counter()
    n = 0
    for version in api.registries(organization=organization).versions(filter=TAG_FILTER):
        _ = version.name, version.aliases, version.metadata
        n += 1
    return {"seconds": time.perf_counter() - started, "versions": n}


CHILDREN = {"kit": child_kit, "official": child_official}


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


def seed(db: Path, args: argparse.Namespace) -> tuple[str, int, dict[str, str]]:
    from wandbkit.server import Store, seed_basic
    from wandbkit.server.seed.registries import seed_registries_benchmark

    store = Store(db)
    account = seed_basic(store)
    started = time.perf_counter()
    bench = seed_registries_benchmark(
        store,
        account,
        registries=args.registries,
        collections=args.collections,
        versions=args.versions,
    )
    links = args.registries * args.collections * args.versions
    print(f"seeded {links} linked versions in {time.perf_counter() - started:.1f} s", flush=True)
    store.close()
    return bench.organization, bench.tagged, {"WANDB_API_KEY": account.api_key}


def _serve(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [WANDBKIT_CLI, "server", "--port", str(port), "--db", str(db), "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, base_url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--registries", type=int, default=20)
    parser.add_argument("--collections", type=int, default=50)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.child:
        case, organization = args.child
        print(json.dumps(CHILDREN[case](organization)))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="wandbkit-bench-registries-"))
    home = tmp / "home"
    home.mkdir()
    try:
        organization, expected, secret = seed(tmp / "bench.db", args)
        server, base_url = _serve(tmp / "bench.db")
        try:
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
            times: dict[str, list[float]] = {"kit": [], "official": []}
            for _ in range(args.repeat):
                for case in ("kit", "official"):
                    result = _measure(env, case, organization)
                    if result["versions"] != expected:
                        raise SystemExit(
                            f"{case} saw {result['versions']} versions, not {expected}"
                        )
                    times[case].append(result["seconds"])
            kit, official = (statistics.median(times[c]) for c in ("kit", "official"))
            print(
                f"registries.versions(tag filter), {expected} of "
                f"{args.registries * args.collections * args.versions}: "
                f"wandbkit {kit:.3f} s, official {official:.3f} s, {official / kit:.1f}x"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
