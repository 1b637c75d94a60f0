"""Regenerate, or check, everything wandbkit generates.

``generate``: schema/ + queries/ + codegen.toml → ``src/wandbkit/_generated/`` (ariadne-codegen),
then the sync twins: ``_generated/async_client.py`` → ``client.py``,
``_generated/async_base_client.py`` → ``base_client.py`` and every module of
``src/wandbkit/_async/`` → ``src/wandbkit/_sync/`` (unasync), then ruff format on the output.

``check``: the same into a temporary copy of the project; fails (exit 1, with a diff) when the
committed output differs from what the sources produce.
"""

from __future__ import annotations

import ast
import difflib
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import tokenize_rt
import unasync

ROOT = Path(__file__).resolve().parent.parent
PKG = Path("src/wandbkit")
GENERATED = PKG / "_generated"
ASYNC_DIR = PKG / "_async"
SYNC_DIR = PKG / "_sync"

# Token replacements on top of unasync's defaults (async/await, __aenter__, AsyncIterator, ...).
# A name that needs a sync twin is spelled so that one of these tokens maps it. Names that are
# not classes of ours (httpx's, the generated client's, helper functions) are listed here; every
# ``class AsyncX`` defined under src/wandbkit/_async/ maps to ``X`` by `async_class_names`, so a
# new domain class needs no edit in this tool.
FIXED_REPLACEMENTS = {
    "_async": "_sync",
    "flavor_async": "flavor_sync",
    "async_sleep": "sync_sleep",
    "aclose": "close",
    "aread": "read",
    "aiter_bytes": "iter_bytes",
    "AsyncClient": "Client",
    "AsyncBaseTransport": "BaseTransport",
    "AsyncBaseClient": "BaseClient",
    "AsyncWandbClient": "WandbClient",
    "async_client": "client",
    "async_base_client": "base_client",
}


def async_class_names(async_dir: Path) -> dict[str, str]:
    """``{"AsyncRun": "Run", ...}`` for every top-level ``class Async*`` under ``async_dir``."""
    names: dict[str, str] = {}
    for path in sorted(async_dir.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and re.fullmatch(r"Async[A-Z]\w*", node.name):
                names[node.name] = node.name.removeprefix("Async")
    return names


REPLACEMENTS = {**FIXED_REPLACEMENTS, **async_class_names(ROOT / ASYNC_DIR)}

TWIN_BANNER = (
    "# Generated from src/wandbkit/_async/{name} by tools/codegen.py (unasync) — DO NOT EDIT.\n"
    "# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.\n"
)


def unasync_source(source: str) -> str:
    """Return the sync twin of one async module's source text."""
    rule = unasync.Rule("/_async/", "/_sync/", additional_replacements=REPLACEMENTS)
    tokens = tokenize_rt.src_to_tokens(source)
    return str(tokenize_rt.tokens_to_src(rule._unasync_tokens(tokens)))


def _run(cmd: list[str], cwd: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"command failed: {' '.join(cmd)}")


def generate(root: Path) -> None:
    """Regenerate every generated file under ``root``."""
    shutil.rmtree(root / GENERATED, ignore_errors=True)
    _run([sys.executable, "-m", "ariadne_codegen", "--config", "codegen.toml", "client"], root)

    for src_name, dst_name in (
        ("async_client.py", "client.py"),
        ("async_base_client.py", "base_client.py"),
    ):
        source = (root / GENERATED / src_name).read_text()
        (root / GENERATED / dst_name).write_text(unasync_source(source))
    init = root / GENERATED / "__init__.py"
    text = init.read_text()
    if "WandbClient" not in text.replace("AsyncWandbClient", ""):
        # Export the sync twin beside the async client the generator knows about.
        text = re.sub(
            r"^( *)from \.async_client import AsyncWandbClient$",
            r"\g<0>\n\1from .client import WandbClient",
            text,
            flags=re.MULTILINE,
        )
        text = text.replace(
            '"AsyncWandbClient",', '"AsyncWandbClient",\n    "WandbClient",'
        ).replace('"AsyncWandbClient": ', '"WandbClient": ".client",\n    "AsyncWandbClient": ')
        init.write_text(text)

    sync_dir = root / SYNC_DIR
    shutil.rmtree(sync_dir, ignore_errors=True)
    sync_dir.mkdir(parents=True)
    for path in sorted((root / ASYNC_DIR).rglob("*.py")):
        rel = path.relative_to(root / ASYNC_DIR)
        out = sync_dir / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        body = unasync_source(path.read_text())
        out.write_text(TWIN_BANNER.format(name=rel.as_posix()) + body)

    ruff = [sys.executable, "-m", "ruff"]
    targets = [str(GENERATED), str(SYNC_DIR)]
    _run([*ruff, "check", "--fix", "--quiet", "--select", "I,F401,RUF022", *targets], root)
    _run([*ruff, "format", "--quiet", *targets], root)


def check(root: Path) -> int:
    """Regenerate into a temporary copy and compare with the committed output."""
    with tempfile.TemporaryDirectory(prefix="wandbkit-codegen-") as tmp:
        work = Path(tmp)
        for name in ("schema", "queries", "tools"):
            shutil.copytree(root / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("codegen.toml", "pyproject.toml"):
            shutil.copy2(root / name, work / name)
        shutil.copytree(
            root / PKG,
            work / PKG,
            ignore=shutil.ignore_patterns("__pycache__", "_generated", "_sync"),
        )
        generate(work)
        drift: list[str] = []
        for sub in (GENERATED, SYNC_DIR):
            drift += _compare(root / sub, work / sub, sub)
    if drift:
        sys.stderr.write("".join(drift))
        sys.stderr.write("\ncodegen-check: generated code is out of date; run `make codegen`.\n")
        return 1
    print("codegen-check: generated code matches schema/, queries/ and src/wandbkit/_async/")
    return 0


def _compare(committed: Path, fresh: Path, label: Path) -> list[str]:
    def files(base: Path) -> set[str]:
        if not base.exists():
            return set()
        return {
            p.relative_to(base).as_posix()
            for p in base.rglob("*.py")
            if "__pycache__" not in p.parts
        }

    out: list[str] = []
    ours, theirs = files(committed), files(fresh)
    for rel in sorted(ours | theirs):
        a, b = committed / rel, fresh / rel
        if rel not in theirs:
            out.append(f"stale file (not generated any more): {label}/{rel}\n")
        elif rel not in ours:
            out.append(f"missing generated file: {label}/{rel}\n")
        elif not filecmp.cmp(a, b, shallow=False):
            out += difflib.unified_diff(
                a.read_text().splitlines(keepends=True),
                b.read_text().splitlines(keepends=True),
                f"committed/{label}/{rel}",
                f"generated/{label}/{rel}",
            )
    return out


def main(argv: list[str]) -> int:
    if argv[1:] == ["generate"]:
        generate(ROOT)
        print(f"generated {GENERATED} and {SYNC_DIR}")
        return 0
    if argv[1:] == ["check"]:
        return check(ROOT)
    sys.stderr.write("usage: python tools/codegen.py generate|check\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
