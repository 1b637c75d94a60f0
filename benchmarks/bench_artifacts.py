"""Artifacts side by side: wandbkit, the official client (wandb 0.31.0) and raw httpx + md5.

One local server (a separate process, SQLite file) seeded once with the artifact benchmark
data set (a dataset artifact of 1,000 files of 1-20 KB, a model artifact of 5 files of 50 MB,
and a collection of 1,000 versions); every measurement runs in a fresh interpreter against it,
one after the other, in one run, the sides alternated.

    python benchmarks/bench_artifacts.py [--small-files 1000] [--big-files 5] [--big-mb 50]
                                         [--versions 1000] [--rounds 3]
                                         [--only small big again versions]

Times start once the client exists (import and construction are `bench_import.py`'s job) and
include resolving the artifact by name. Every download starts with an empty cache of its own
(WANDBKIT_CACHE_DIR / WANDB_CACHE_DIR) and an empty root, unless the case says otherwise.

Cases:
  small      Artifact.download() of 1,000 small files: wandbkit vs official vs raw httpx
             (the same signed URLs, streamed to files with md5 checked, same concurrency)
  big        the same for 5 files of 50 MB; peak memory: ru_maxrss of the timed run, and the
             Python heap peak (tracemalloc) of a separate run per side
  again      wandbkit: a second download into the same root (file bytes over the network,
             counted by the client's transport: must be 0) and into a new root (from the cache).
             wandbkit re-verifies every file it keeps or links by md5; the official client
             compares modification times only, so for 250 MB it does less and knows less
  versions   listing every version of a 1,000-version collection (api.artifacts(type, name))
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
WANDBKIT_CLI = str(Path(sys.executable).parent / "wandbkit")
PROJECT = "bench-artifacts"

#: Processes per side of the alternated cases.
ROUNDS = 3

# -- child measurements (each runs in its own interpreter) ---------------------------------


def _result(started: float, root: str | None = None, **extra: Any) -> dict[str, Any]:
    seconds = time.perf_counter() - started
    files = sum(1 for p in Path(root).rglob("*") if p.is_file()) if root else 0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "maxrss_mb": usage.ru_maxrss / 1024,
        # The client's own CPU (every thread, imports included): what it costs beside the
        # server's share, which a loaded machine does not blur as much as wall time.
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "files": files,
        **extra,
    }


class _Traced:
    """tracemalloc around the measured part only when asked (it slows allocation down)."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.peak_mb = 0.0

    def __enter__(self) -> _Traced:
        if self.on:
            tracemalloc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.on:
            self.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()


def _counting_transport() -> Any:
    """An httpx transport that counts the bytes of file downloads: every response that is
    neither GraphQL nor the manifest."""
    import httpx

    from wandbkit._async.transport import DEFAULT_LIMITS
    from wandbkit.server.urls import GRAPHQL_PATH, SIGNED_ARTIFACT_MANIFEST_PATH

    def is_file(url: httpx.URL) -> bool:
        return not (
            url.path.endswith(GRAPHQL_PATH) or url.path.startswith(SIGNED_ARTIFACT_MANIFEST_PATH)
        )

    class Counting(httpx.HTTPTransport):
        file_bytes = 0
        file_requests = 0
        lock = threading.Lock()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            if not is_file(request.url):
                return response
            inner = response.stream
            owner = self

            class Stream(httpx.SyncByteStream):
                def __iter__(self) -> Iterator[bytes]:
                    for chunk in inner:  # type: ignore[union-attr]
                        with owner.lock:
                            owner.file_bytes += len(chunk)
                        yield chunk

                def close(self) -> None:
                    inner.close()  # type: ignore[union-attr]

            with owner.lock:
                owner.file_requests += 1
            response.stream = Stream()
            return response

    return Counting(limits=DEFAULT_LIMITS)


def child_kit_download(name: str, root: str, trace: bool = False) -> dict[str, Any]:
    import wandbkit

    api = wandbkit.Api()
    _ = api.viewer  # as wandb.Api() does: the connection and the imports are ready
    with _Traced(trace) as traced:
        started = time.perf_counter()
        api.artifact(name).download(root=root)
        result = _result(started, root)
    return {**result, "traced_peak_mb": traced.peak_mb}


def child_official_download(name: str, root: str, trace: bool = False) -> dict[str, Any]:
    import wandb

    api = wandb.Api()
    with _Traced(trace) as traced:
        started = time.perf_counter()
        api.artifact(name).download(root=root)
        result = _result(started, root)
    return {**result, "traced_peak_mb": traced.peak_mb}


def child_raw_download(
    urls_file: str, root: str, workers: int, trace: bool = False
) -> dict[str, Any]:
    """The floor: the same signed URLs, streamed to files with md5 checked, same concurrency."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    entries = json.loads(Path(urls_file).read_text())

    def fetch(client: httpx.Client, entry: dict[str, Any]) -> int:
        dest = Path(root, entry["path"])
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.md5()
        size = 0
        with client.stream("GET", entry["url"]) as response, dest.open("wb") as sink:
            response.raise_for_status()
            for chunk in response.iter_bytes():  # as received: no re-chunking copies
                digest.update(chunk)
                sink.write(chunk)
                size += len(chunk)
        if base64.b64encode(digest.digest()).decode() != entry["md5"] or size != entry["size"]:
            raise SystemExit(f"raw download of {entry['path']} does not match its digest")
        return size

    with _Traced(trace) as traced, httpx.Client(timeout=120) as client:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=min(workers, len(entries))) as pool:
            total = sum(pool.map(lambda entry: fetch(client, entry), entries))
        result = _result(started, root, bytes=total)
    return {**result, "traced_peak_mb": traced.peak_mb}


def child_kit_again(name: str, root: str, fresh_root: str) -> dict[str, Any]:
    """Download, then download into the same root, then into a new root; bytes counted."""
    import wandbkit

    transport = _counting_transport()
    api = wandbkit.Api(transport=transport)
    _ = api.viewer
    api.artifact(name).download(root=root)
    first = transport.file_bytes
    out: dict[str, Any] = {"first_bytes": first}
    for label, target in (("same_root", root), ("new_root", fresh_root)):
        before, requests_before = transport.file_bytes, transport.file_requests
        started = time.perf_counter()
        api.artifact(name).download(root=target)
        out[f"{label}_seconds"] = time.perf_counter() - started
        out[f"{label}_bytes"] = transport.file_bytes - before
        out[f"{label}_requests"] = transport.file_requests - requests_before
        out[f"{label}_files"] = sum(1 for p in Path(target).rglob("*") if p.is_file())
    return out


def child_official_again(name: str, root: str, fresh_root: str) -> dict[str, Any]:
    import wandb

    api = wandb.Api()
    api.artifact(name).download(root=root)
    out: dict[str, Any] = {}
    for label, target in (("same_root", root), ("new_root", fresh_root)):
        started = time.perf_counter()
        api.artifact(name).download(root=target)
        out[f"{label}_seconds"] = time.perf_counter() - started
    return out


def child_kit_versions(type_name: str, collection: str) -> dict[str, Any]:
    import wandbkit

    api = wandbkit.Api()
    _ = api.viewer
    started = time.perf_counter()
    versions = sum(1 for _ in api.artifacts(type_name, collection))
    return _result(started, versions=versions)


def child_official_versions(type_name: str, collection: str) -> dict[str, Any]:
    import wandb

    api = wandb.Api()
    started = time.perf_counter()
    versions = sum(1 for _ in api.artifacts(type_name, collection))
    return _result(started, versions=versions)


def child_urls(name: str, out: str) -> dict[str, Any]:
    """The signed URLs of an artifact's files, for the raw side (official client's ``files``)."""
    import wandb

    files = wandb.Api().artifact(name).files(per_page=1000)
    entries = [{"path": f.name, "url": f.direct_url, "md5": f.md5, "size": f.size} for f in files]
    Path(out).write_text(json.dumps(entries))
    return {"files": len(entries)}


def child_seed(
    db: str, small_files: int, big_files: int, big_mb: int, versions: int
) -> dict[str, Any]:
    """Seed the benchmark data set (in a child, so that the parent stays small: a child's
    ru_maxrss starts from its parent's size at the fork)."""
    from wandbkit.server import Store, seed_basic

    try:
        from wandbkit.server.seed import seed_artifacts_benchmark  # type: ignore[attr-defined]
    except ImportError:
        raise SystemExit(
            "bench_artifacts needs the local server's artifact benchmark seed "
            "(wandbkit.server.seed.seed_artifacts_benchmark, the aserver branch of issue 10)"
        ) from None
    store = Store(Path(db))
    account = seed_basic(store)
    entity = store.entities.get(account.entity)
    user = store.accounts.get_user(account.username)
    assert entity is not None and user is not None
    project, _ = store.projects.upsert(entity.pk, PROJECT, creator_pk=user.pk)
    started = time.perf_counter()
    seeded = seed_artifacts_benchmark(
        store,
        project,
        small_files=small_files,
        large_files=big_files,
        large_file_size=big_mb * 2**20,
        versions=versions,
    )
    seconds = time.perf_counter() - started
    store.close()
    path = f"{seeded.entity}/{seeded.project}"
    return {
        "seconds": seconds,
        "api_key": account.api_key,
        "small": f"{path}/{seeded.small}:v0",
        "big": f"{path}/{seeded.large}:v0",
        "versions_type": "model",
        "versions_collection": f"{path}/{seeded.many}",
    }


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "kit_download": child_kit_download,
    "official_download": child_official_download,
    "raw_download": child_raw_download,
    "kit_again": child_kit_again,
    "official_again": child_official_again,
    "kit_versions": child_kit_versions,
    "official_versions": child_official_versions,
    "urls": child_urls,
    "seed": child_seed,
}


# -- the parent: seed, serve, measure, report --------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a process has used so far; 0 when unknown (not Linux)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Bench:
    """The server's environment and a scratch directory; runs children and cleans up.

    ``server_pid``: the server process, whose CPU time each measurement also records
    (``server_cpu_seconds``): on a loaded machine, wall times swing with the neighbours, but
    the CPU the client and the server spent on a case does not.
    """

    def __init__(self, env: dict[str, str], scratch: Path, server_pid: int | None = None) -> None:
        self.env = env
        self.scratch = scratch
        self.server_pid = server_pid
        self._n = 0

    def fresh(self, label: str) -> Path:
        """A new, not yet existing directory under the scratch directory."""
        self._n += 1
        return self.scratch / f"{label}-{self._n}"

    def measure(self, case: str, *args: Any, keep: bool = False) -> dict[str, Any]:
        """Run one child with a cache of its own; its roots are removed afterwards."""
        cache = self.fresh("cache")
        env = {**self.env, "WANDBKIT_CACHE_DIR": str(cache), "WANDB_CACHE_DIR": str(cache)}
        server_cpu = _process_cpu(self.server_pid)
        try:
            done = subprocess.run(
                [sys.executable, str(HERE), "--child", case, *map(str, args)],
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
            )
        finally:
            if not keep:
                shutil.rmtree(cache, ignore_errors=True)
                for arg in args:
                    if isinstance(arg, Path) and arg.is_dir():
                        shutil.rmtree(arg, ignore_errors=True)
        if done.returncode != 0:
            raise SystemExit(f"{case} failed:\n{done.stderr[-3000:]}")
        result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
        result["server_cpu_seconds"] = _process_cpu(self.server_pid) - server_cpu
        return result


def _alternated(bench: Bench, *sides: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Per side, the run with the median time of ROUNDS fresh processes, the sides
    alternated: a slow spell of the machine then hits every side alike."""
    runs: list[list[dict[str, Any]]] = [[] for _ in sides]
    for _ in range(ROUNDS):
        for i, (case, *args) in enumerate(sides):
            runs[i].append(bench.measure(case, *args))
    medians = []
    for side_runs in runs:
        middle = statistics.median_low([r["seconds"] for r in side_runs])
        medians.append(next(r for r in side_runs if r["seconds"] == middle))
    return medians


#: The issue's goals: wandbkit's speed-up over the official client per case, and how far the
#: big download may be from raw httpx.
TARGETS = {"small": 3.0, "big": 1.0, "versions": 3.0}
RAW_LIMIT = 1.25


def _goal(speedup: float, goal: float) -> str:
    return f"(goal >= {goal:g}x: {'met' if speedup >= goal else 'NOT met'})"


def _zero(nbytes: int) -> str:
    return "0 as required" if nbytes == 0 else "NOT 0"


def _row(case: str, kit: float, other: float, against: str, note: str = "") -> None:
    print(
        f"  {case:<34} {kit:8.2f} s | {other:8.2f} s {against:<16} | {other / kit:5.2f}x {note}",
        flush=True,
    )


def _cpu_row(kit: dict[str, Any], official: dict[str, Any]) -> None:
    """Client + server CPU of each side: what the case costs, which a loaded machine does not
    blur as it blurs wall time (the client's includes its imports)."""
    kit_cpu = kit["cpu_seconds"] + kit["server_cpu_seconds"]
    official_cpu = official["cpu_seconds"] + official["server_cpu_seconds"]
    print(
        f"  {'':<34} client+server CPU: wandbkit {kit_cpu:.2f} s "
        f"(server {kit['server_cpu_seconds']:.2f}), official {official_cpu:.2f} s "
        f"(server {official['server_cpu_seconds']:.2f}): {official_cpu / kit_cpu:.2f}x",
        flush=True,
    )


def report_download(bench: Bench, label: str, name: str, workers: int, files: int) -> None:
    urls = bench.scratch / f"urls-{label}.json"
    bench.measure("urls", name, urls)
    kit, official, raw = _alternated(
        bench,
        ("kit_download", name, bench.fresh("root")),
        ("official_download", name, bench.fresh("root")),
        ("raw_download", urls, bench.fresh("root"), workers),
    )
    for side, result in (("wandbkit", kit), ("official", official), ("raw", raw)):
        if result["files"] != files:
            raise SystemExit(f"{label}: {side} left {result['files']} files, not {files}")
    speedup = official["seconds"] / kit["seconds"]
    goal = TARGETS[label]
    _row(
        f"{label}: download", kit["seconds"], official["seconds"], "official", _goal(speedup, goal)
    )
    ratio = kit["seconds"] / raw["seconds"]
    print(
        f"  {'':<34} {'':>10} | {raw['seconds']:8.2f} s raw httpx+md5  | "
        f"wandbkit/raw = {ratio:.2f}"
        + (
            f" ({'within' if ratio <= RAW_LIMIT else 'OVER'} {RAW_LIMIT})" if label == "big" else ""
        ),
        flush=True,
    )
    _cpu_row(kit, official)
    print(
        f"  {'':<34} max RSS: wandbkit {kit['maxrss_mb']:.0f} MB, official "
        f"{official['maxrss_mb']:.0f} MB, raw {raw['maxrss_mb']:.0f} MB; client CPU: "
        f"wandbkit {kit['cpu_seconds']:.2f} s, official {official['cpu_seconds']:.2f} s, "
        f"raw {raw['cpu_seconds']:.2f} s",
        flush=True,
    )


def report_memory(bench: Bench, name: str, workers: int) -> None:
    urls = bench.scratch / "urls-big.json"
    kit = bench.measure("kit_download", name, bench.fresh("root"), True)
    official = bench.measure("official_download", name, bench.fresh("root"), True)
    raw = bench.measure("raw_download", urls, bench.fresh("root"), workers, True)
    print(
        f"  {'':<34} python heap peak: wandbkit {kit['traced_peak_mb']:.1f} MB, official "
        f"{official['traced_peak_mb']:.1f} MB, raw {raw['traced_peak_mb']:.1f} MB",
        flush=True,
    )


def report_again(bench: Bench, name: str, files: int) -> None:
    root, fresh = bench.fresh("root"), bench.fresh("root")
    kit = bench.measure("kit_again", name, root, fresh)
    official = bench.measure("official_again", name, bench.fresh("root"), bench.fresh("root"))
    for label in ("same_root", "new_root"):
        if kit[f"{label}_files"] != files:
            raise SystemExit(f"again: {label} has {kit[f'{label}_files']} files, not {files}")
    _row(
        "again: same root",
        kit["same_root_seconds"],
        official["same_root_seconds"],
        "official",
        f"(wandbkit: {kit['same_root_bytes']} file bytes over the network, "
        f"{kit['same_root_requests']} file requests: {_zero(kit['same_root_bytes'])})",
    )
    _row(
        "again: new root (cache)",
        kit["new_root_seconds"],
        official["new_root_seconds"],
        "official",
        f"(wandbkit: {kit['new_root_bytes']} file bytes over the network: "
        f"{_zero(kit['new_root_bytes'])}; first download {kit['first_bytes']})",
    )


def report_versions(bench: Bench, type_name: str, collection: str, versions: int) -> None:
    kit, official = _alternated(
        bench,
        ("kit_versions", type_name, collection),
        ("official_versions", type_name, collection),
    )
    for side, result in (("wandbkit", kit), ("official", official)):
        if result["versions"] != versions:
            raise SystemExit(f"versions: {side} listed {result['versions']}, not {versions}")
    speedup = official["seconds"] / kit["seconds"]
    _row(
        f"list {versions} versions",
        kit["seconds"],
        official["seconds"],
        "official",
        _goal(speedup, TARGETS["versions"]),
    )
    _cpu_row(kit, official)


CASE_GROUPS = ("small", "big", "again", "versions")


def main() -> int:
    global ROUNDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--small-files", type=int, default=1000)
    parser.add_argument("--big-files", type=int, default=5)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--workers", type=int, default=16, help="raw httpx concurrency")
    parser.add_argument("--only", nargs="+", choices=CASE_GROUPS, default=list(CASE_GROUPS))
    args = parser.parse_args()
    if args.child:
        case, *rest = args.child
        typed = [
            int(a) if a.isdigit() else (a == "True") if a in ("True", "False") else a for a in rest
        ]
        print(json.dumps(CHILDREN[case](*typed)))
        return 0
    ROUNDS = args.rounds

    tmp = Path(tempfile.mkdtemp(prefix="wandbkit-bench-artifacts-"))
    home = tmp / "home"
    home.mkdir()
    try:
        seeding = Bench(dict(os.environ), tmp)
        names = seeding.measure(
            "seed", tmp / "bench.db", args.small_files, args.big_files, args.big_mb, args.versions
        )
        print(f"seeded the artifact benchmark in {names['seconds']:.1f} s", flush=True)
        secret = {"WANDB_API_KEY": names.pop("api_key")}
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
            env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB", "WANDBKIT"))}
            env.update(secret)
            env.update(
                WANDB_BASE_URL=base_url,
                HOME=str(home),
                WANDB_SILENT="true",
                WANDB_ERROR_REPORTING="false",
                WANDB_DIR=str(home),
                WANDB_CONFIG_DIR=str(home),
                WANDB_DATA_DIR=str(home),
                WANDBKIT_PROGRESS="0",
                NO_PROXY="*",
            )
            report(Bench(env, tmp, server.pid), names, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(bench: Bench, names: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n{'case':<36} {'wandbkit':>10} | {'other':<27} | ratio", flush=True)
    if "small" in args.only:
        report_download(bench, "small", names["small"], args.workers, args.small_files)
    if "big" in args.only:
        report_download(bench, "big", names["big"], args.workers, args.big_files)
        report_memory(bench, names["big"], args.workers)
    if "again" in args.only:
        report_again(bench, names["small"], args.small_files)
        report_again(bench, names["big"], args.big_files)
    if "versions" in args.only:
        report_versions(bench, names["versions_type"], names["versions_collection"], args.versions)


if __name__ == "__main__":
    raise SystemExit(main())
