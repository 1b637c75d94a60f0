"""Import cost of wandbkit next to the official client, measured side by side in one run.

Each statement runs in a fresh interpreter, several times, interleaved so that machine noise
hits every candidate alike; the table shows the median wall time minus an empty interpreter's.
A second table times a whole first answer (import, construct, read the viewer) from the local
server, which is what a script actually waits for.

Usage: python benchmarks/bench_import.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CANDIDATES = {
    "python (empty)": "pass",
    "import wandbkit": "import wandbkit",
    "from wandbkit import Api": "from wandbkit import Api",
    "Api() constructed": "from wandbkit import Api; Api(api_key='x' * 40)",
    "import httpx, pydantic": "import httpx, pydantic",
    "import wandb": "import wandb",
    "wandb.Api class": "import wandb; wandb.Api",
}


FIRST_ANSWER = {
    "wandbkit: Api().viewer": "import wandbkit; print(wandbkit.Api().viewer.username)",
    "wandb: Api().viewer": "import wandb; print(wandb.Api().viewer.username)",
}


def _time(statement: str, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", statement], check=True, env=env, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def first_answer(repeat: int) -> None:
    """Time import + Api() + viewer against the local server, for both clients."""
    from wandbkit.server.testing import running_server

    with running_server() as server, tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
        env.update(server.env())
        env.update(
            HOME=home,
            WANDB_SILENT="true",
            WANDB_ERROR_REPORTING="false",
            WANDB_DIR=home,
            WANDB_CONFIG_DIR=home,
            WANDB_CACHE_DIR=home,
            WANDB_DATA_DIR=home,
        )
        samples: dict[str, list[float]] = {name: [] for name in FIRST_ANSWER}
        for statement in FIRST_ANSWER.values():
            _time(statement, env)
        for _ in range(repeat):
            for name, statement in FIRST_ANSWER.items():
                samples[name].append(_time(statement, env))
    medians = {name: statistics.median(v) for name, v in samples.items()}
    print(f"\n{'first answer from the local server':<36} {'median s':>9}")
    for name, value in medians.items():
        print(f"{name:<36} {value:>9.3f}")
    ratio = medians["wandb: Api().viewer"] / medians["wandbkit: Api().viewer"]
    print(f"wandbkit answers {ratio:.1f}x sooner than the official client")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    samples: dict[str, list[float]] = {name: [] for name in CANDIDATES}
    for statement in CANDIDATES.values():
        _time(statement)  # warm the file cache and bytecode
    for _ in range(args.repeat):
        for name, statement in CANDIDATES.items():
            samples[name].append(_time(statement))

    base = statistics.median(samples["python (empty)"])
    cost = {name: max(statistics.median(v) - base, 0.0) for name, v in samples.items()}
    wandb_cost = cost["import wandb"]
    print(f"{'statement':<28} {'median s':>9} {'vs import wandb':>16}")
    for name in CANDIDATES:
        if name == "python (empty)":
            print(f"{name:<28} {base:>9.3f} {'(subtracted)':>16}")
            continue
        ratio = cost[name] / wandb_cost if wandb_cost else float("nan")
        print(f"{name:<28} {cost[name]:>9.3f} {ratio:>15.2f}x")
    target = cost["from wandbkit import Api"] / wandb_cost if wandb_cost else float("nan")
    verdict = "meets" if target < 0.2 else "MISSES"
    print(
        f"\n`from wandbkit import Api` costs {target:.2f}x `import wandb`: {verdict} the < 0.2x aim"
    )
    first_answer(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
