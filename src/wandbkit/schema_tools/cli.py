"""``wandbkit schema pull|check|diff``: the schema tools on the command line.

Exit status:
    * ``pull``: 0 written; 1 the server could not be introspected.
    * ``check``: 0 every document is valid; 1 some are not (each error printed as
      ``path:line:column: message`` on stdout); 2 the check could not run (no documents given
      and no source checkout, an unreadable schema, an unreachable server).
    * ``diff``: 0 unless ``--fail-on`` says otherwise; 1 the diff has changes at or above the
      ``--fail-on`` level; 2 a schema cannot be loaded.

The command line itself (options, help) is :mod:`wandbkit.cli.schema`; these are its handlers.
Only the standard library is imported here; graphql-core and httpx load inside the handlers,
so ``wandbkit --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wandbkit.schema_tools.diff import FailOn

__all__ = ["default_queries_dir", "run_check", "run_diff", "run_pull"]

_MISSING_GRAPHQL = (
    "wandbkit schema: graphql-core is missing ({name}); reinstall wandbkit or "
    "pip install 'graphql-core>=3.2'"
)


def default_queries_dir() -> Path | None:
    """``queries/`` of the wandbkit source checkout this package runs from, if it is one.

    ``queries/`` is not packaged: a wheel install has no default and needs explicit paths.
    """
    # src/wandbkit/schema_tools/cli.py -> <repo>; a checkout also has schema/wandb.graphql.
    root = Path(__file__).resolve().parents[3]
    queries = root / "queries"
    if queries.is_dir() and (root / "schema" / "wandb.graphql").is_file():
        return queries
    return None


def _err(message: str) -> None:
    print(f"wandbkit schema: {message}", file=sys.stderr)


# -- pull -----------------------------------------------------------------------------------


def run_pull(
    *, base_url: str | None, api_key: str | None, timeout: float | None, out: str | None
) -> int:
    """``wandbkit schema pull``: introspect a server; write stable SDL to ``out``; the status."""
    try:
        from wandbkit._core.errors import WandbkitError
        from wandbkit.schema_tools.pull import pull_schema
    except ImportError as exc:
        _err(_MISSING_GRAPHQL.format(name=exc.name))
        return 1
    try:
        sdl = pull_schema(base_url, api_key=api_key, timeout=timeout)
    except WandbkitError as exc:
        _err(f"cannot pull the schema: {exc}")
        return 1
    if out in (None, "-"):
        sys.stdout.write(sdl)
    else:
        target = Path(out)
        try:
            target.write_text(sdl, encoding="utf-8")
        except OSError as exc:
            _err(f"cannot write {target}: {exc.strerror}")
            return 1
        print(f"wandbkit schema: wrote {target} ({sdl.count(chr(10))} lines)", file=sys.stderr)
    return 0


# -- check ----------------------------------------------------------------------------------


def run_check(
    *,
    paths: Sequence[str],
    schema: str | None,
    base_url: str | None,
    api_key: str | None,
    timeout: float | None,
    isolated: bool,
) -> int:
    """``wandbkit schema check``: validate documents; print ``path:line:col: message``."""
    try:
        from wandbkit._core.errors import WandbkitError
        from wandbkit._schema import schema_path
        from wandbkit.schema_tools.check import check_document_sets, document_sets, load_schema
        from wandbkit.schema_tools.pull import pull_schema
    except ImportError as exc:
        _err(_MISSING_GRAPHQL.format(name=exc.name))
        return 2

    paths = list(paths)
    if not paths:
        default = default_queries_dir()
        if default is None:
            _err("give the .graphql files or directories to check (no default outside a checkout)")
            return 2
        paths = [str(default)]

    label: str
    try:
        if base_url is not None:
            loaded = load_schema(pull_schema(base_url, api_key=api_key, timeout=timeout))
            label = base_url
        else:
            # A Path, never a str: load_schema would take a str with "{" in it for SDL text.
            schema_file = Path(schema) if schema else schema_path()
            loaded, label = load_schema(schema_file), str(schema_file)
    except (WandbkitError, FileNotFoundError) as exc:  # FileNotFoundError: a broken install
        _err(str(exc))
        return 2

    sets, problems = document_sets(paths, shared_fragments=not isolated)
    errors = check_document_sets(loaded, sets, problems)
    for error in errors:
        print(error)
    files = sum(len(s) for s in sets)
    noun = "file" if files == 1 else "files"
    if errors:
        count = f"{len(errors)} error" + ("" if len(errors) == 1 else "s")
        _err(f"{count} in {files} {noun} checked against {label}")
        return 1
    _err(f"{files} {noun} valid against {label}")
    return 0


# -- diff -----------------------------------------------------------------------------------


def run_diff(*, old: str, new: str, fail_on: FailOn) -> int:
    """``wandbkit schema diff``: print the changes; exit 1 at ``fail_on`` or above."""
    try:
        from wandbkit.schema_tools.diff import diff_schemas
        from wandbkit.schema_tools.errors import SchemaToolError
    except ImportError as exc:
        _err(_MISSING_GRAPHQL.format(name=exc.name))
        return 2
    try:
        diff = diff_schemas(Path(old), Path(new))
    except SchemaToolError as exc:
        _err(str(exc))
        return 2
    sys.stdout.write(diff.format())
    return 1 if diff.fails(fail_on) else 0
