"""Store and filter errors become ``ClientError``s in one place, with their own messages."""

from __future__ import annotations

import pytest

from wandbkit.server.resolvers.common import ClientError
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.run_filters import FilterError
from wandbkit.server.store import InvalidNameError, NameConflictError, UnknownRowError


@pytest.mark.parametrize(
    ("operation", "error", "message"),
    [
        (None, InvalidNameError("bad name"), "bad name"),
        ("createTeam", NameConflictError("taken"), "createTeam: taken"),
        (None, FilterError("no such field"), "no such field"),
    ],
)
def test_input_errors_become_client_errors_with_the_same_message(
    operation: str | None, error: Exception, message: str
) -> None:
    with pytest.raises(ClientError) as caught, client_errors(operation):
        raise error
    assert caught.value.message == message
    assert caught.value.extensions == {"code": "BAD_USER_INPUT"}
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_other_errors_pass_through_untouched() -> None:
    with pytest.raises(UnknownRowError), client_errors("upsertBucket"):
        raise UnknownRowError("gone")
    with pytest.raises(ValueError, match="plain"), client_errors(errors=(FilterError,)):
        raise ValueError("plain")


def test_it_decorates_a_resolver_too() -> None:
    @client_errors("renameProject", errors=(ValueError,))
    def resolve(value: int) -> int:
        if value < 0:
            raise ValueError("negative")
        return value

    assert resolve(3) == 3
    with pytest.raises(ClientError, match=r"^renameProject: negative$"):
        resolve(-1)
