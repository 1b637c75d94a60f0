"""Opaque ids and pagination cursors, shaped like the real server's.

W&B ids are standard base64 of ``"<Type>:<key>"`` (``VXNlcjox`` is ``User:1``). Clients must
treat them as opaque, but a few decode them (``Project.internalId`` holds
``ProjectInternalId:<int>``), so the emulator uses the same shape.

Cursors are base64 too, over a JSON list of the keyset values of the last item of a page
(today the row id); a list leaves room for composite orderings later without a format change.
"""

from __future__ import annotations

import base64
import binascii
import json

_CURSOR_PREFIX = "cursor:"
#: The largest row id SQLite stores (a signed 64-bit integer); a larger key names no row.
MAX_ROW_ID = 2**63 - 1


def parse_row_id(text: str) -> int | None:
    """``text`` as a row id: ASCII digits of a value SQLite can bind, else ``None``.

    ``str.isdigit`` alone is not enough: it accepts digits ``int`` refuses (a superscript
    two) and keys of any length, which ``int`` refuses past 4,300 digits and SQLite past 2**63.

    Example:
        >>> parse_row_id("12"), parse_row_id("\N{SUPERSCRIPT TWO}"), parse_row_id("9" * 20)
        (12, None, None)
    """
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


class InvalidIdError(ValueError):
    """An id that is not base64 of ``Type:key``, or names another type."""


class InvalidCursorError(ValueError):
    """A pagination cursor this server did not hand out."""


def encode_id(type_name: str, key: int | str) -> str:
    """Encode an opaque id.

    Example:
        >>> encode_id("User", 1)
        'VXNlcjox'
    """
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


def decode_id(value: str, *expected_types: str) -> tuple[str, str]:
    """Decode an id made by :func:`encode_id` into ``(type_name, key)``.

    Args:
        value: the opaque id.
        *expected_types: if given, the type name must be one of these.

    Raises:
        InvalidIdError: not an id of this server, or of an unexpected type.
    """
    try:
        text = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidIdError("not a valid id") from exc
    type_name, sep, key = text.partition(":")
    if not sep or not type_name or not key:
        raise InvalidIdError("not a valid id")
    if expected_types and type_name not in expected_types:
        raise InvalidIdError(f"expected an id of {' or '.join(expected_types)}, got {type_name}")
    return type_name, key


def decode_int_id(value: str, *expected_types: str) -> int:
    """Decode an id whose key is a row id (see :func:`decode_id`).

    Raises:
        InvalidIdError: not an id of this server, of an unexpected type, or a non-integer key.
    """
    _, key = decode_id(value, *expected_types)
    pk = parse_row_id(key)
    if pk is None:
        raise InvalidIdError("not a valid id")
    return pk


def encode_cursor(*keys: int | str) -> str:
    """Encode the keyset position after an item into an opaque cursor."""
    payload = _CURSOR_PREFIX + json.dumps(list(keys), separators=(",", ":"))
    return base64.b64encode(payload.encode()).decode("ascii")


def decode_cursor(cursor: str) -> list[int | str]:
    """Decode a cursor made by :func:`encode_cursor` into its keyset values.

    Raises:
        InvalidCursorError: the text is not a cursor of this server.
    """
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("utf-8")
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError("missing prefix")
        keys = json.loads(text[len(_CURSOR_PREFIX) :])
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidCursorError("invalid cursor") from exc
    if not isinstance(keys, list) or not all(
        isinstance(k, (int, str)) and not isinstance(k, bool) for k in keys
    ):
        raise InvalidCursorError("invalid cursor")
    return keys


def decode_row_cursor(cursor: str) -> int:
    """Decode a cursor over a single row id.

    Raises:
        InvalidCursorError: not a cursor of this server, or not a row-id cursor.
    """
    keys = decode_cursor(cursor)
    if len(keys) != 1 or not isinstance(keys[0], int) or not 0 <= keys[0] <= MAX_ROW_ID:
        raise InvalidCursorError("invalid cursor")
    return keys[0]
