"""Custom scalars, opaque ids and cursors, and finding the schema file."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLScalarType

from wandbkit import _schema
from wandbkit._schema import schema_path
from wandbkit.server.ids import (
    InvalidCursorError,
    InvalidIdError,
    decode_cursor,
    decode_id,
    decode_int_id,
    decode_row_cursor,
    encode_cursor,
    encode_id,
)
from wandbkit.server.scalars import (
    parse_datetime,
    parse_int,
    parse_json_string,
    serialize_datetime,
    serialize_int,
    serialize_json_string,
)
from wandbkit.server.schema import build_executable_schema


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"a": 1}, '{"a":1}'),
        ([1, "x", None], '[1,"x",null]'),
        ('{"already": "text"}', '{"already": "text"}'),
        (None, "null"),
        (math.nan, "NaN"),
    ],
)
def test_json_string_serializes_values_and_passes_text_through(value: Any, text: str) -> None:
    assert serialize_json_string(value) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [('{"a": [1, 2]}', {"a": [1, 2]}), ("3", 3), ('"s"', "s"), ("", None)],
)
def test_json_string_parses_text_into_values(text: str, value: Any) -> None:
    assert parse_json_string(text) == value


@pytest.mark.parametrize("bad", ["{nope", 3, {"a": 1}])
def test_json_string_refuses_what_is_not_json_text(bad: Any) -> None:
    with pytest.raises(ValueError):
        parse_json_string(bad)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2024, 1, 1, tzinfo=timezone.utc), "2024-01-01T00:00:00Z"),
        (datetime(2024, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))), "2024-01-01T00:00:00Z"),
        (datetime(2024, 1, 1), "2024-01-01T00:00:00Z"),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
        ("2024-01-01T00:00:00", "2024-01-01T00:00:00Z"),
        ("2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00Z"),
    ],
)
def test_datetimes_are_written_as_utc_iso_text(value: Any, text: str) -> None:
    assert serialize_datetime(value) == text


def test_datetimes_are_read_as_aware_utc() -> None:
    assert parse_datetime("2024-01-01T00:00:00Z") == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert parse_datetime("2024-01-01T00:00:00").tzinfo is not None
    with pytest.raises(ValueError):
        parse_datetime("yesterday")


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (2**40, 2**40), (4.0, 4), ("12", 12)])
def test_int64_reads_integers(value: Any, expected: int) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize("bad", [True, 1.5, "x", None])
def test_int64_refuses_non_integers(bad: Any) -> None:
    with pytest.raises(ValueError):
        parse_int(bad)


def test_int64_writes_integers() -> None:
    assert serialize_int(2**40) == 2**40
    assert serialize_int(3.0) == 3
    with pytest.raises(TypeError):
        serialize_int(1.5)


def test_ids_look_like_the_real_servers() -> None:
    assert encode_id("User", 1) == "VXNlcjox"
    assert decode_id("VXNlcjox") == ("User", "1")
    assert decode_int_id(encode_id("Project", 42), "Project") == 42


@pytest.mark.parametrize("bad", ["", "!!!", "VXNlcg==", encode_id("User", "x")])
def test_ids_that_are_not_ours_are_refused(bad: str) -> None:
    with pytest.raises(InvalidIdError):
        decode_int_id(bad, "User")


def test_an_id_of_another_type_is_refused() -> None:
    with pytest.raises(InvalidIdError, match="expected an id of Project"):
        decode_int_id(encode_id("User", 1), "Project")


def test_cursors_round_trip_keyset_values() -> None:
    assert decode_cursor(encode_cursor(7)) == [7]
    assert decode_cursor(encode_cursor("2024-01-01", 7)) == ["2024-01-01", 7]
    assert decode_row_cursor(encode_cursor(7)) == 7


@pytest.mark.parametrize("bad", ["x", encode_id("Project", 1), encode_cursor(True), "Y3Vyc29yOnt9"])
def test_foreign_cursors_are_refused(bad: str) -> None:
    with pytest.raises(InvalidCursorError):
        decode_row_cursor(bad)


def test_the_schema_file_is_found_in_a_source_checkout() -> None:
    path = schema_path()
    assert path.name == "wandb.graphql" and path.is_file()


def test_the_executable_schema_binds_the_custom_scalars() -> None:
    schema = build_executable_schema()
    for name in ("JSONString", "JSON", "DateTime", "Int64"):
        scalar = schema.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        assert scalar.serialize.__module__ == "wandbkit.server.scalars"
    assert build_executable_schema() is schema  # built once per process


def test_the_packaged_schema_wins_over_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "_schema_data" / "wandb.graphql"
    packaged.parent.mkdir()
    packaged.write_text("type Query { ok: Boolean }")
    monkeypatch.setattr(_schema, "_PACKAGED", packaged)
    assert schema_path() == packaged


def test_a_missing_schema_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_schema, "_PACKAGED", tmp_path / "a" / "wandb.graphql")
    monkeypatch.setattr(_schema, "_CHECKOUT", tmp_path / "b" / "wandb.graphql")
    with pytest.raises(FileNotFoundError, match="reinstall wandbkit") as info:
        schema_path()
    assert str(tmp_path / "a") in str(info.value) and str(tmp_path / "b") in str(info.value)
