"""Rows of dicts to Arrow tables with one schema, and atomic Parquet files.

Column types follow the W&B values: numbers are ``double`` (``_step`` is ``int64``), strings
``string``, booleans ``bool``; anything else (media, lists, nested dicts, a key whose type
varies) is its JSON text, so every file of a dataset has the same schema and readers need no
schema merging.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandbkit.export._manifest import FILE_MODE

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "TYPE_NAMES",
    "column_types_from_history_keys",
    "column_types_from_values",
    "require_pyarrow",
    "to_table",
    "write_parquet",
]

#: Column type names (as the manifest records them) and what they hold.
TYPE_NAMES = ("int64", "double", "string", "bool", "json", "timestamp", "list<string>")
STEP_KEY = "_step"
#: Compression of every Parquet file (DuckDB, Polars, Spark and pandas all read it).
COMPRESSION = "zstd"

_HISTORY_TYPES = {"number": "double", "string": "string", "boolean": "bool"}


def require_pyarrow() -> None:
    """Import pyarrow, or raise a :class:`UsageError` naming the extra to install."""
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        from wandbkit.errors import UsageError

        raise UsageError("Parquet output needs pyarrow: pip install 'wandbkit[parquet]'") from None


def _merge(types: dict[str, str], key: str, kind: str) -> None:
    seen = types.get(key)
    if seen is None:
        types[key] = kind
    elif seen != kind:
        types[key] = "double" if {seen, kind} == {"int64", "double"} else "json"


def column_types_from_history_keys(
    history_keys: Iterable[Mapping[str, Any]], keys: Sequence[str] | None = None
) -> dict[str, str]:
    """The history columns and their types, from the runs' ``historyKeys`` type counts.

    Args:
        history_keys: ``run.history_keys`` of every run exported.
        keys: only these metrics (and ``_step``), in this order; ``None`` = every key seen.
    """
    types: dict[str, str] = {STEP_KEY: "int64"}
    for described in history_keys:
        for key, info in (described.get("keys") or {}).items():
            if key == STEP_KEY or (keys is not None and key not in keys):
                continue
            counts = info.get("typeCounts") if isinstance(info, Mapping) else None
            kinds = {c.get("type") for c in counts or [] if isinstance(c, Mapping)}
            for kind in kinds or {"json"}:
                _merge(types, key, _HISTORY_TYPES.get(str(kind), "json"))
    for key in keys or ():
        types.setdefault(key, "double")
    if keys is not None:
        return {STEP_KEY: "int64", **{key: types[key] for key in keys if key != STEP_KEY}}
    return types


def _kind(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "json"


def column_types_from_values(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Column types that hold every value of ``rows`` (first-seen column order)."""
    types: dict[str, str] = {}
    order: dict[str, None] = {}
    for row in rows:
        for key, value in row.items():
            order.setdefault(key, None)
            kind = _kind(value)
            if kind is not None:
                _merge(types, key, kind)
    return {key: types.get(key, "string") for key in order}


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return json.dumps(value, default=str, allow_nan=False)
    except ValueError:  # NaN or infinity inside: JSON has no spelling for them
        return json.dumps(value, default=str)


def _arrow_type(name: str) -> pa.DataType:
    import pyarrow as pa

    return {
        "int64": pa.int64(),
        "double": pa.float64(),
        "string": pa.string(),
        "bool": pa.bool_(),
        "json": pa.string(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list<string>": pa.list_(pa.string()),
    }[name]


def _column(values: list[Any], kind: str) -> pa.Array:
    import pyarrow as pa

    if kind == "json":
        return pa.array([_json_text(v) for v in values], type=pa.string())
    if kind == "double":
        values = [
            float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
            for v in values
        ]
    elif kind == "int64":
        values = [v if isinstance(v, int) and not isinstance(v, bool) else None for v in values]
    elif kind == "string":
        values = [v if isinstance(v, str) or v is None else json.dumps(v) for v in values]
    return pa.array(values, type=_arrow_type(kind), from_pandas=True)


def to_table(
    rows: Sequence[Mapping[str, Any]],
    types: Mapping[str, str],
    *,
    constants: Mapping[str, str] | None = None,
    metadata: Mapping[str, str] | None = None,
) -> pa.Table:
    """``rows`` as an Arrow table with exactly the columns of ``types``.

    A value that does not fit its column's type (a string in a number column) becomes null
    there; :func:`column_types_from_history_keys` types such a column ``json`` in the first
    place, so this happens only when the server's type counts were wrong.

    Args:
        rows: the rows.
        types: column name -> type name (see :data:`TYPE_NAMES`).
        constants: string columns with one value in every row (``run_id``), put first.
        metadata: key-value metadata stored in the file's schema.
    """
    import pyarrow as pa

    columns: dict[str, pa.Array] = {}
    fields: list[pa.Field] = []
    for name, value in (constants or {}).items():
        columns[name] = pa.array([value] * len(rows), type=pa.string())
        fields.append(pa.field(name, pa.string()))
    fields.extend(pa.field(name, _arrow_type(kind)) for name, kind in types.items())
    columns.update(_columns(rows, types))
    schema = pa.schema(fields, metadata=dict(metadata or {}))
    return pa.Table.from_arrays([columns[field.name] for field in fields], schema=schema)


def _columns(rows: Sequence[Mapping[str, Any]], types: Mapping[str, str]) -> dict[str, pa.Array]:
    """The arrays of ``types``' columns: the plain ones converted by Arrow in one pass over
    the rows (as a struct array: missing keys are nulls, other keys are ignored), each
    column on its own when a value does not fit; the JSON ones encoded first."""
    import pyarrow as pa

    plain = {name: kind for name, kind in types.items() if kind != "json"}
    arrays: dict[str, pa.Array] = {}
    if plain and rows:
        struct_type = pa.struct([pa.field(n, _arrow_type(k)) for n, k in plain.items()])
        try:
            struct = pa.array(rows, type=struct_type)
            arrays = {name: struct.field(i) for i, name in enumerate(plain)}
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            arrays = {}
    for name, kind in types.items():
        if name not in arrays:
            arrays[name] = _column([row.get(name) for row in rows], kind)
    return arrays


def write_parquet(table: pa.Table, target: Path) -> int:
    """Write ``table`` to ``target`` atomically (a temporary file, fsync, rename); its size.

    The temporary file ``.<name>.tmp-*`` sits beside the target, so a reader globbing
    ``*.parquet`` never sees a half-written file; an interrupted write leaves only the
    temporary one, which the next export removes.
    """
    import pyarrow.parquet as pq

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "wb") as sink:
            pq.write_table(table, sink, compression=COMPRESSION)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return target.stat().st_size
