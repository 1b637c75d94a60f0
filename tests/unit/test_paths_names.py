"""The one name rule, ``wandbkit._lang.names``: which names break it, and the server's words.

The server raises ``name_problem``'s message as it is; the client (``wandbkit.paths``) words
its own message from ``name_fault``; both read the same rule, so the client refuses exactly
the names the server would.
"""

from __future__ import annotations

import pytest

from wandbkit._lang.names import MAX_NAME_LENGTH, NameFault, name_fault, name_problem
from wandbkit.errors import UsageError
from wandbkit.paths import check_name

NAMES: list[tuple[object, NameFault | None, str | None]] = [
    ("my-project", None, None),
    ("a.b_c-9", None, None),
    ("...", None, None),
    ("x" * MAX_NAME_LENGTH, None, None),
    ("", NameFault.EMPTY, "project name must be a non-empty string"),
    (None, NameFault.EMPTY, "project name must be a non-empty string"),
    (7, NameFault.EMPTY, "project name must be a non-empty string"),
    ("x" * 129, NameFault.TOO_LONG, "project name must be at most 128 characters"),
    (
        "a b",
        NameFault.CHARACTERS,
        "project name 'a b' may only contain letters, digits, '-', '_' and '.'",
    ),
    (
        "a/b",
        NameFault.CHARACTERS,
        "project name 'a/b' may only contain letters, digits, '-', '_' and '.'",
    ),
    (
        ".",
        NameFault.DOT_SEGMENT,
        "project name '.' may only contain letters, digits, '-', '_' and '.'",
    ),
    (
        "..",
        NameFault.DOT_SEGMENT,
        "project name '..' may only contain letters, digits, '-', '_' and '.'",
    ),
    (
        "run\n",
        NameFault.CHARACTERS,
        "project name 'run\\n' may only contain letters, digits, '-', '_' and '.'",
    ),
    (
        "\nrun",
        NameFault.CHARACTERS,
        "project name '\\nrun' may only contain letters, digits, '-', '_' and '.'",
    ),
    # Length is checked before characters, as the server does.
    ("é" * 129, NameFault.TOO_LONG, "project name must be at most 128 characters"),
]


@pytest.mark.parametrize(("name", "fault", "message"), NAMES)
def test_the_rule_and_the_servers_message(
    name: object, fault: NameFault | None, message: str | None
) -> None:
    assert name_fault(name) is fault
    assert name_problem(name, "project") == message


@pytest.mark.parametrize(("name", "fault", "message"), NAMES)
def test_the_client_refuses_exactly_what_the_rule_refuses(
    name: object, fault: NameFault | None, message: str | None
) -> None:
    if fault is None:
        assert check_name(name, "project") == name
    else:
        with pytest.raises(UsageError, match=r"^project must be a name"):
            check_name(name, "project")
