"""The one rule for entity, team, user, project, run and sweep names.

The local server refuses a name that breaks it, and the client checks the same rule before a
request leaves, so a bad name fails on the caller's machine instead of after a round trip (and
the client never sends a name the server would refuse).

The rule: a non-empty string of at most :data:`MAX_NAME_LENGTH` letters, digits, ``-``, ``_``
and ``.``, other than ``.`` and ``..`` (which read as path segments in URLs and file paths).
"""

from __future__ import annotations

import enum
import re

__all__ = ["MAX_NAME_LENGTH", "NAME_PATTERN", "NameFault", "name_fault", "name_problem"]

#: The characters a name may hold (matched against the whole name: ``$`` alone would also
#: match before a trailing newline and let ``"run\n"`` through).
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]+", re.ASCII)
#: The longest name, in characters.
MAX_NAME_LENGTH = 128
_DOT_SEGMENTS = frozenset({".", ".."})


class NameFault(enum.Enum):
    """Which part of the rule a name breaks, so each side can word its own message."""

    EMPTY = "not a non-empty string"
    TOO_LONG = f"longer than {MAX_NAME_LENGTH} characters"
    CHARACTERS = "a character other than letters, digits, '-', '_' and '.'"
    DOT_SEGMENT = "'.' or '..'"


def name_fault(name: object) -> NameFault | None:
    """The first part of the rule ``name`` breaks (in the order the server checks), or ``None``.

    Example:
        >>> name_fault("my-project"), name_fault(".."), name_fault("x" * 129)
        (None, <NameFault.DOT_SEGMENT: "'.' or '..'">, <NameFault.TOO_LONG: 'longer than 128 \
characters'>)
    """
    if not isinstance(name, str) or not name:
        return NameFault.EMPTY
    if len(name) > MAX_NAME_LENGTH:
        return NameFault.TOO_LONG
    if not NAME_PATTERN.fullmatch(name):
        return NameFault.CHARACTERS
    if name in _DOT_SEGMENTS:
        return NameFault.DOT_SEGMENT
    return None


def name_problem(name: object, what: str) -> str | None:
    """The local server's message for a name that breaks the rule, or ``None`` for a good one.

    Args:
        name: the name to check.
        what: what it names, e.g. ``"project"``; the message starts ``"<what> name ..."``.

    Example:
        >>> name_problem("a b", "project")
        "project name 'a b' may only contain letters, digits, '-', '_' and '.'"
    """
    fault = name_fault(name)
    if fault is None:
        return None
    if fault is NameFault.EMPTY:
        return f"{what} name must be a non-empty string"
    if fault is NameFault.TOO_LONG:
        return f"{what} name must be at most {MAX_NAME_LENGTH} characters"
    return f"{what} name {name!r} may only contain letters, digits, '-', '_' and '.'"
