"""Where the GraphQL schema file lives, in a wheel install and in a source checkout.

One schema feeds the generated client, the local server and the contract tests, so everything
that needs the SDL text finds it here rather than guessing paths.
"""

from __future__ import annotations

from pathlib import Path

SCHEMA_FILENAME = "wandb.graphql"

_HERE = Path(__file__).resolve().parent
# A wheel carries the schema as package data (the build force-includes it here).
_PACKAGED = _HERE / "_schema_data" / SCHEMA_FILENAME
# An editable install or a source checkout: src/wandbkit/_schema.py -> <repo>/schema/.
_CHECKOUT = _HERE.parents[1] / "schema" / SCHEMA_FILENAME


def schema_path() -> Path:
    """Return the path of ``wandb.graphql``.

    The packaged copy (``wandbkit/_schema_data/wandb.graphql``) wins; a source checkout falls
    back to ``<repo>/schema/wandb.graphql``.

    Returns:
        The absolute path of the schema file.

    Raises:
        FileNotFoundError: neither location holds the file (a broken install).
    """
    for candidate in (_PACKAGED, _CHECKOUT):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"the GraphQL schema {SCHEMA_FILENAME} was not found: looked for package data at "
        f"{_PACKAGED} and for a source checkout at {_CHECKOUT}; reinstall wandbkit"
    )


def schema_text() -> str:
    """Return the schema's SDL text (see :func:`schema_path`)."""
    return schema_path().read_text(encoding="utf-8")
