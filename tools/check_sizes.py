"""Fail when a hand-written module passes 600 lines.

Generated code (``_generated/``) and the sync twins (``_sync/``) are not hand-written and are
not counted. ``OVERSIZE`` lists the modules that were over the limit when the rule arrived, each
with the size it may not grow past: the list only shrinks, as ARCHITECTURE.md's splits land
(P2 filter tree, P3 runs package, P7 seed package).

Usage: ``python tools/check_sizes.py [ROOT]`` (default: ``src/wandbkit``); exit 1 on a breach.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

LIMIT = 600
EXCLUDED_PARTS = frozenset({"_generated", "_sync"})

#: Path (relative to the checked root) -> the most lines it may have until it is split.
OVERSIZE: Mapping[str, int] = {
    "server/seed_runs.py": 885,
}


def hand_written_modules(root: Path) -> Iterator[Path]:
    """Every ``.py`` file under ``root`` that is not generated."""
    for path in sorted(root.rglob("*.py")):
        if not EXCLUDED_PARTS.intersection(path.relative_to(root).parts):
            yield path


def breaches(root: Path, allowed: Mapping[str, int] = OVERSIZE) -> list[str]:
    """One readable line per module over its limit (600, or its allow-listed size)."""
    sizes = {
        path.relative_to(root).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in hand_written_modules(root)
    }
    problems = []
    for rel, lines in sizes.items():
        limit = max(LIMIT, allowed.get(rel, LIMIT))
        if lines > limit:
            why = "may not grow until it is split" if rel in allowed else "split it"
            problems.append(f"{rel}: {lines} lines, over {limit} ({why})")
    for rel, size in allowed.items():
        if rel not in sizes:
            problems.append(f"{rel}: no longer exists; remove it from OVERSIZE (was {size})")
        elif sizes[rel] <= LIMIT:
            problems.append(f"{rel}: now within {LIMIT} lines; remove it from OVERSIZE")
    return problems


def main(argv: list[str]) -> int:
    """Print the breaches under the given root (or ``src/wandbkit``); 1 if any."""
    root = (
        Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "src/wandbkit"
    )
    problems = breaches(root)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
