"""W&B objects stored in artifacts as JSON (tables, media): what ``Artifact.get(name)`` reads
back and ``ArtifactDraft.add(obj, name)`` writes.

``wandb`` stores an object added with ``artifact.add(obj, "predictions")`` as a JSON file
named after its type, ``predictions.table.json``, whose ``_type`` key says what it is; its
``Artifact.get("predictions")`` finds the entry by trying each type's suffix and rebuilds the
object. wandbkit does not depend on ``wandb``, so it reads them back as plain values: a
:class:`ArtifactTable` for tables (columns and rows, ``to_pandas()`` when pandas is
installed) and a :class:`ArtifactMedia` (its type and JSON document) for everything else.
Files a table's cells point to (images...) are other entries of the artifact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wandbkit._core.errors import UsageError
from wandbkit._values.checks import sanitize_json

__all__ = [
    "LOG_TYPES",
    "ArtifactMedia",
    "ArtifactObject",
    "ArtifactTable",
    "object_from_json",
    "object_to_json",
    "with_suffix",
]

#: The ``_type`` of every object ``wandb`` 0.31 stores as ``<name>.<type>.json``
#: (``WBValue.type_mapping()``), tables first: ``get`` tries them in this order.
LOG_TYPES = (
    "table",
    "partitioned-table",
    "joined-table",
    "eval-table",
    "image-file",
    "audio-file",
    "video-file",
    "html-file",
    "object3D-file",
    "molecule-file",
    "bokeh-file",
    "plotly-file",
    "graph-file",
    "histogram",
    "classes",
    "mask",
    "bounding-boxes",
    "pytorch-model-file",
    "sklearn-model-file",
    "tfkeras-model-file",
    "wb_trace_tree",
)


def with_suffix(name: str, log_type: str) -> str:
    """The entry path of an object of ``log_type`` added as ``name`` (as ``wandb`` names it).

    Example:
        >>> with_suffix("predictions", "table")
        'predictions.table.json'
        >>> with_suffix("predictions.table.json", "table")
        'predictions.table.json'
    """
    suffix = f".{log_type}.json"
    return name if name.endswith(suffix) else name + suffix


@dataclass(frozen=True)
class ArtifactMedia:
    """A W&B object read from an artifact that is not a table (an image, a histogram...).

    Attributes:
        kind: its ``_type`` (``image-file``, ``histogram``...).
        document: its whole JSON document (paths in it are entries of the same artifact).
        path: the entry it was read from (``None`` for one not read from an artifact).
    """

    kind: str
    document: Mapping[str, Any]
    path: str | None = None


@dataclass(frozen=True)
class ArtifactTable:
    """A W&B table: named columns and rows of JSON values.

    Args:
        columns: the column names (distinct strings).
        data: the rows, each a list with one value per column.
        column_types: W&B's type description of the columns, when known (kept as is).
        path: the entry it was read from, if any.

    Raises:
        UsageError: columns are not distinct strings, a row has the wrong length, or a value
            is not JSON (NaN, objects).

    Example:
        >>> table = ArtifactTable(["id", "label"], [[1, "cat"], [2, "dog"]])
        >>> table.get_column("label")
        ['cat', 'dog']
    """

    columns: Sequence[str]
    data: Sequence[Sequence[Any]]
    column_types: Mapping[str, Any] | None = None
    path: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        columns = list(self.columns) if not isinstance(self.columns, str) else None
        if columns is None or not all(isinstance(c, str) for c in columns):
            raise UsageError(f"columns must be a list of strings, got {self.columns!r}")
        if len(set(columns)) != len(columns):
            raise UsageError(f"columns must be distinct, got {columns!r}")
        rows = [list(row) for row in _rows(self.data)]
        for index, row in enumerate(rows):
            if len(row) != len(columns):
                raise UsageError(f"data[{index}] has {len(row)} values for {len(columns)} columns")
        sanitize_json(rows, "data")
        object.__setattr__(self, "columns", tuple(columns))
        object.__setattr__(self, "data", tuple(tuple(row) for row in rows))

    def __len__(self) -> int:
        return len(self.data)

    @property
    def ncols(self) -> int:
        """How many columns."""
        return len(self.columns)

    def get_column(self, name: str) -> list[Any]:
        """The values of one column, in row order.

        Raises:
            KeyError: no such column.
        """
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; the columns are {list(self.columns)}")
        index = self.columns.index(name)
        return [row[index] for row in self.data]

    def to_pandas(self) -> Any:
        """The table as a ``pandas.DataFrame`` (pandas must be installed).

        Raises:
            ImportError: pandas is not installed.
        """
        import pandas as pd

        return pd.DataFrame([list(row) for row in self.data], columns=list(self.columns))

    def to_json(self) -> dict[str, Any]:
        """The table as ``wandb`` stores it (``wandb.Table.from_json`` reads it back)."""
        document: dict[str, Any] = {
            "_type": "table",
            "columns": list(self.columns),
            "data": [list(row) for row in self.data],
            "ncols": self.ncols,
            "nrows": len(self.data),
            "log_mode": "IMMUTABLE",
        }
        if self.column_types is not None:
            document["column_types"] = dict(self.column_types)
        return document


#: What ``Artifact.get`` gives.
ArtifactObject = ArtifactTable | ArtifactMedia


def _rows(data: object) -> Iterable[Sequence[Any]]:
    if isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
        raise UsageError(f"data must be a list of rows, got {type(data).__name__}")
    for row in data:
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise UsageError(f"every row of data must be a list, got {row!r}")
        yield row


def object_from_json(document: object, path: str | None = None) -> ArtifactObject:
    """The value a W&B object's JSON document describes.

    Raises:
        UsageError: not a JSON object with a string ``_type`` (or a malformed table).
    """
    if not isinstance(document, dict) or not isinstance(document.get("_type"), str):
        raise UsageError(f"{path or 'the entry'} is not a W&B object (no '_type')")
    if document["_type"] == "table":
        return ArtifactTable(
            document.get("columns") or [],
            document.get("data") or [],
            document.get("column_types"),
            path=path,
        )
    return ArtifactMedia(document["_type"], document, path)


def object_to_json(obj: object) -> tuple[str, dict[str, Any]]:
    """``(log type, JSON document)`` of an object to store in an artifact.

    Takes an :class:`ArtifactTable`, an :class:`ArtifactMedia`, or a W&B object's JSON
    document (a dict with a ``_type``).

    Raises:
        UsageError: anything else (``wandb``'s own objects need ``wandb``'s artifacts), or
            a document that is not JSON.
    """
    if isinstance(obj, ArtifactTable):
        return "table", obj.to_json()
    if isinstance(obj, ArtifactMedia):
        document = dict(obj.document)
        kind = obj.kind
    elif isinstance(obj, Mapping) and isinstance(obj.get("_type"), str):
        document = dict(obj)
        kind = document["_type"]
    else:
        raise UsageError(
            "obj must be an ArtifactTable, an ArtifactMedia or a W&B object's JSON document "
            f"(a dict with '_type'), got {type(obj).__name__}"
        )
    if not kind or "/" in kind or kind != kind.strip():
        raise UsageError(f"'_type' must be a W&B type name like 'table', got {kind!r}")
    sanitize_json(document, "obj")
    document["_type"] = kind
    return kind, document
