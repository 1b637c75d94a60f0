# Generated from src/wandbkit/_async/executor.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""What every generated operation runs through: variables out, typed result in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pydantic
from pydantic_core import to_jsonable_python

from wandbkit._core.errors import ResponseValidationError
from wandbkit._core.flavor_sync import sync_sleep
from wandbkit._core.scalars import is_unset
from wandbkit._sync.transport import Transport

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


def encode_variables(variables: Mapping[str, object] | None) -> dict[str, Any]:
    """Turn generated-method variables into JSON values: drop UNSET, dump input models."""
    encoded: dict[str, Any] = {}
    for name, value in (variables or {}).items():
        if is_unset(value):
            continue
        if isinstance(value, pydantic.BaseModel):
            encoded[name] = value.model_dump(by_alias=True, exclude_unset=True, mode="json")
        else:
            encoded[name] = to_jsonable_python(value)
    return encoded


class GraphQLExecutor:
    """Base of the generated client: sends each operation through an ``AsyncTransport``.

    Args:
        transport: the configured transport (auth, retries, error mapping).
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, object] | None = None,
        *,
        is_mutation: bool = False,
        headers: Mapping[str, str] | None = None,
        on_data: Callable[[dict[str, Any]], bool] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        """Send one operation and return its ``data`` (errors raise, see ``wandbkit.errors``).

        Passed through a generated method's ``**kwargs``: ``headers`` are added to the
        request; ``on_data`` sees the ``data`` as it arrived, before it is validated into the
        result model (a paginator reads the next cursor there, to ask for the next page while
        this one is parsed); when it says it started background work, that work gets a
        moment to send its request before the parsing starts."""
        data = self.transport.graphql(
            query,
            encode_variables(variables),
            operation_name=operation_name,
            is_mutation=is_mutation,
            headers=headers,
        )
        if on_data is not None and on_data(data):
            # Let what was started send its request now: otherwise (sync flavor) the parsing
            # would keep the interpreter until the switch interval (5 ms) or its end.
            sync_sleep(0)
        return data

    def get_data(self, response: dict[str, Any]) -> dict[str, Any]:
        """Return the ``data`` that ``execute`` already extracted (kept for the generator)."""
        return response

    def parse_result(
        self, model: type[ModelT], data: dict[str, Any], *, operation_name: str
    ) -> ModelT:
        """Validate ``data`` into the operation's result model.

        Raises:
            ResponseValidationError: the response does not match the schema-derived model.
        """
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise ResponseValidationError.from_pydantic(exc, operation_name) from None
