"""Import cost of wandbkit next to the official client, measured side by side in one run.

Each statement runs in a fresh interpreter, several times, interleaved so that machine noise
hits every candidate alike; the table shows the median wall time minus an empty interpreter's.

Usage: python benchmarks/bench_import.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
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


def _time(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
