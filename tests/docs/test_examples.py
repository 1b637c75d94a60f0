"""The code in README.md and docs/ runs, so it never rots.

Every ```python block of a file runs, in order, in one namespace (a later block may use what an
earlier one made), against a fresh local server seeded with the demo workspace: the examples
read ``WANDB_BASE_URL`` and ``WANDB_API_KEY`` from the environment, as a user's script does,
in a scratch working directory. A block whose fence says ``title="not-run"`` is shown but not
run (code that needs a notebook, a real W&B account or another machine);
docs/contributing.md documents the marker.

Every ``wandbkit ...`` line of a ```bash block is parsed by the command line's own parser, so a
renamed command or option fails here too.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import ServerHandle, running_server

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").rglob("*.md"))
FILES = [ROOT / "README.md", *DOCS]
NOT_RUN = 'title="not-run"'
_FENCE = re.compile(r"^```(?P<lang>[a-z]*)(?P<info>[^\n]*)\n(?P<code>.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, fence info, code and first line number."""

    lang: str
    info: str
    code: str
    line: int

    @property
    def runs(self) -> bool:
        return self.lang == "python" and NOT_RUN not in self.info


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, in order."""
    text = path.read_text(encoding="utf-8")
    return [
        Block(m["lang"], m["info"], m["code"], text.count("\n", 0, m.start()) + 2)
        for m in _FENCE.finditer(text)
    ]


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="module")
def demo_server() -> Iterator[ServerHandle]:
    """One server with the demo workspace for every file (seeding it takes seconds); the
    examples that write use names of their own, so the files do not depend on their order."""
    store = Store()
    seed = seed_demo(store)
    with running_server(store, seed=seed) as handle:
        yield handle
    store.close()


@pytest.fixture
def demo_env(
    demo_server: ServerHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ServerHandle:
    """The server's settings in the environment, as a user's shell has them, and a scratch
    working directory (with a copy of ``queries/`` for the contract-testing examples)."""
    for name in ("WANDB_ENTITY", "WANDB_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "queries", work / "queries")
    for key, value in {
        "WANDB_BASE_URL": demo_server.base_url,
        "WANDB_API_KEY": demo_server.api_key,
        "NETRC": str(tmp_path / "netrc"),
        "WANDB_DIR": str(tmp_path / "wandb"),
        "WANDB_ARTIFACT_DIR": str(tmp_path / "artifacts"),
        "WANDBKIT_CACHE_DIR": str(tmp_path / "cache"),
        "WANDBKIT_PROGRESS": "0",
        "MPLBACKEND": "Agg",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(work)
    return demo_server


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_python_examples_run(path: Path, demo_env: ServerHandle) -> None:
    runnable = [block for block in blocks(path) if block.runs]
    namespace: dict[str, object] = {"__name__": f"docs_example_{path.stem}"}
    for block in runnable:
        code = compile(block.code, f"{_name(path)}:{block.line}", "exec")
        try:
            exec(code, namespace)
        except Exception as exc:
            raise AssertionError(f"{_name(path)}, the block at line {block.line}: {exc!r}") from exc


def test_every_guide_has_runnable_examples() -> None:
    assert len(DOCS) >= 12
    idle = [
        _name(path)
        for path in DOCS
        if path.parent.name == "guide"
        and not any(b.runs for b in blocks(path))
        and path.stem != "cli"
    ]
    assert idle == []


def _command_lines(path: Path) -> Iterator[tuple[int, str]]:
    for block in blocks(path):
        if block.lang not in ("bash", "sh", "console"):
            continue
        joined = block.code.replace("\\\n", " ")
        for offset, line in enumerate(joined.splitlines()):
            text = line.strip().removeprefix("$ ")
            for prefix in (".venv/bin/wandbkit ", "wandbkit "):
                if text.startswith(prefix):
                    yield block.line + offset, "wandbkit " + text.removeprefix(prefix)


def _argv(line: str) -> list[str]:
    words = shlex.split(line, comments=True)
    for stop in ("|", ">", ">>", "&&", "&", ";"):
        if stop in words:
            words = words[: words.index(stop)]
    return words[1:]


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_command_lines_in_the_docs_parse(path: Path) -> None:
    from wandbkit.cli import build_parser

    parser = build_parser()
    for line_number, line in _command_lines(path):
        argv = _argv(line)
        if not argv or argv[0] == "completion" or "--help" in argv:
            continue
        try:
            parser.parse_args(argv)
        except click.BadParameter as exc:
            if "does not exist" not in str(exc):  # a path on the reader's machine is fine
                raise AssertionError(f"{_name(path)}:{line_number}: {line!r}: {exc}") from None
        except click.UsageError as exc:
            raise AssertionError(f"{_name(path)}:{line_number}: {line!r}: {exc}") from None


def test_the_not_run_marker_is_documented() -> None:
    assert NOT_RUN in (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")


def test_blocks_are_found() -> None:
    readme = blocks(ROOT / "README.md")
    assert sum(b.runs for b in readme) >= 8
    assert any(NOT_RUN in b.info for p in FILES for b in blocks(p))


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """``make docs``: every page in the nav, every link and anchor resolves."""
    pytest.importorskip("mkdocs", reason="the docs extra (pip install -e '.[docs]')")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    build(config)
    assert (tmp_path / "site" / "guide" / "artifacts" / "index.html").is_file()
