"""``POST /graphql``: authenticate, check the request, execute it with Ariadne.

Status codes follow what W&B clients expect (see the official client's wire report):

* 401 ``{"errors": [...]}`` for a missing or unknown API key; clients fail fast on it.
* 400 ``{"errors": [...]}`` when the request cannot run at all: a body that is not JSON, no
  query, a syntax or validation error, an unknown operation, bad variables.
* 200 ``{"data": ..., "errors": [...]}`` for errors while executing; partial data survives.
* Never 429 or 5xx for any of these: W&B clients retry those for about 19 seconds.

Quirks of the official client that are accepted on purpose: ``operationName: ""`` (means
"not given"), no ``variables`` key, variables the operation does not declare (ignored),
``#graphql`` comments and tab indentation (a real parser handles both), and the headers
``Use-Admin-Privileges`` and ``X-Wandb-*`` (ignored).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ariadne import graphql_sync
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wandbkit._lang.summary_merge import SUMMARY_KEYS_HEADER, SummaryKeysError, parse_summary_keys
from wandbkit.server.actor import note_actor
from wandbkit.server.http.auth import (
    api_key_from_authorization,
    error_response,
    unauthorized_response,
)
from wandbkit.server.http.planned import PlannedExecutionContext
from wandbkit.server.limits import (
    MAX_BODY_BYTES,
    MAX_QUERY_TOKENS,
    BodyTooLargeError,
    document_cost_errors,
    json_depth_error,
    read_body,
)
from wandbkit.server.resolvers import ClientError, RequestContext
from wandbkit.server.store import Store, UserRow

logger = logging.getLogger("wandbkit.server")

if TYPE_CHECKING:
    _LoggerAdapter = logging.LoggerAdapter[logging.Logger]
else:
    _LoggerAdapter = logging.LoggerAdapter


class _ExecutionErrorLog(_LoggerAdapter):
    """Ariadne logs every GraphQL error at ERROR with a traceback; errors the client caused
    (bad input, no permission) are expected, so they go to DEBUG and bugs stay loud."""

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        if isinstance(msg, GraphQLError) and _caused_by_client(msg):
            self.logger.debug("GraphQL client error: %s", msg.message)
            return
        super().error(msg, *args, **kwargs)


def _caused_by_client(error: GraphQLError) -> bool:
    return isinstance(error, ClientError) or isinstance(error.original_error, ClientError)


@dataclass(frozen=True)
class _Operation:
    """A request that passed every check that can fail before execution."""

    document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any]


class _RequestError(Exception):
    """A request that cannot run; answered with HTTP 400 and these errors."""

    def __init__(self, errors: Collection[GraphQLError]) -> None:
        super().__init__(errors)
        self.errors = list(errors)


# Clients send the same few documents over and over: parse and validate each text once.
_DOCUMENT_CACHE_SIZE = 512
_documents: OrderedDict[tuple[int, str], DocumentNode | list[GraphQLError]] = OrderedDict()
_documents_lock = threading.Lock()


def _checked_document(schema: GraphQLSchema, query: str) -> DocumentNode:
    """The parsed, validated document for ``query`` (cached by schema and text).

    Raises:
        _RequestError: syntax or validation errors (cached too).
    """
    key = (id(schema), query)
    with _documents_lock:
        cached = _documents.get(key)
        if cached is not None:
            _documents.move_to_end(key)
    if cached is None:
        try:
            document = parse(query, max_tokens=MAX_QUERY_TOKENS)
            errors = validate(schema, document) or document_cost_errors(document)
        except GraphQLError as error:
            cached = [error]
        except RecursionError:
            cached = [GraphQLError("the query nests too deeply to be read")]
        else:
            cached = list(errors) if errors else document
        with _documents_lock:
            _documents[key] = cached
            while len(_documents) > _DOCUMENT_CACHE_SIZE:
                _documents.popitem(last=False)
    if isinstance(cached, list):
        raise _RequestError(cached)
    return cached


def _prepare(schema: GraphQLSchema, payload: Any) -> _Operation:
    """Check a request body up to (not including) execution.

    Raises:
        _RequestError: anything that makes the request impossible to run.
    """
    if not isinstance(payload, dict):
        raise _RequestError([GraphQLError("the request body must be a JSON object")])
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _RequestError([GraphQLError("the request must have a 'query' string")])
    operation_name = payload.get("operationName")
    if operation_name == "":
        # The official client sends "" for "no name"; graphql-core would look for an
        # operation literally named "".
        operation_name = None
    if operation_name is not None and not isinstance(operation_name, str):
        raise _RequestError([GraphQLError("'operationName' must be a string or null")])
    variables = payload.get("variables")
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise _RequestError([GraphQLError("'variables' must be a JSON object or null")])

    document = _checked_document(schema, query)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        message = (
            f"unknown operation named {operation_name!r}"
            if operation_name
            else "the document has several operations: name one in 'operationName'"
        )
        raise _RequestError([GraphQLError(message)])
    if operation.operation == OperationType.SUBSCRIPTION:
        raise _RequestError([GraphQLError("subscriptions are not supported")])
    _check_variables(schema, operation, variables)
    return _Operation(document, operation_name, variables)


def _check_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: dict[str, Any]
) -> None:
    # Coercing up front turns a missing or mistyped variable into a 400 instead of a 200 with
    # "data": null. Undeclared extra variables are ignored here, as they are by execution.
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        raise _RequestError(coerced)


class _FastJSONResponse(JSONResponse):
    """A JSON response encoded by pydantic-core: several times faster than the json module on
    history-sized answers. NaN and infinities are written as ``NaN``/``Infinity``, as Python's
    json module (and so W&B's clients) reads them."""

    def render(self, content: Any) -> bytes:
        return to_json(content, inf_nan_mode="constants")


def _already_validated(*_: Any, **__: Any) -> list[GraphQLError]:
    # _prepare() validated the document against the same schema; skip Ariadne's second pass.
    return []


class GraphQLEndpoint:
    """``POST /graphql``: authenticate, check, execute with Ariadne."""

    def __init__(self, store: Store, schema: GraphQLSchema, *, debug: bool = False) -> None:
        self.store = store
        self.schema = schema
        self.debug = debug
        self._error_log = _ExecutionErrorLog(logging.getLogger("wandbkit.server.graphql"), {})

    def authenticate(self, request: Request) -> UserRow | None:
        """The user whose API key the request carries, or ``None``."""
        key = api_key_from_authorization(request.headers.get("authorization"))
        if key is None:
            return None
        user = self.store.accounts.user_for_api_key(key)
        note_actor(user.pk if user is not None else None)
        return user

    async def handle(self, request: Request) -> Response:
        """Answer one GraphQL request."""
        viewer = self.authenticate(request)
        if viewer is None:
            return unauthorized_response()
        try:
            payload = json.loads(await read_body(request, MAX_BODY_BYTES))
        except BodyTooLargeError as exc:
            return error_response(str(exc), 413)
        except (ValueError, UnicodeDecodeError):
            return error_response("the request body is not valid JSON", 400)
        except RecursionError:
            payload = None
            depth_error: str | None = "the request body nests arrays and objects too deeply"
        else:
            depth_error = json_depth_error(payload)
        if depth_error is not None:
            return error_response(depth_error, 400)
        try:
            operation = _prepare(self.schema, payload)
        except _RequestError as exc:
            return JSONResponse({"errors": [e.formatted for e in exc.errors]}, status_code=400)
        summary_keys: frozenset[str] | None = None
        if (header := request.headers.get(SUMMARY_KEYS_HEADER)) is not None:
            try:
                summary_keys = parse_summary_keys(header)
            except SummaryKeysError as exc:
                return error_response(str(exc), 400)

        # Every resolver is synchronous and reads SQLite: execute on a worker thread, so a
        # slow request (a big page, a costly filter) never holds the event loop, and health
        # checks and other requests are still answered meanwhile.
        _, result = await run_in_threadpool(
            graphql_sync,
            self.schema,
            {
                "query": payload["query"],
                "variables": operation.variables,
                "operationName": operation.operation_name,
            },
            query_document=operation.document,
            query_validator=_already_validated,
            context_value=RequestContext(
                store=self.store,
                viewer=viewer,
                base_url=str(request.base_url).rstrip("/"),
                summary_keys=summary_keys,
            ),
            debug=self.debug,
            logger=self._error_log,
            execution_context_class=PlannedExecutionContext,
        )
        return _FastJSONResponse(result, status_code=_status_of(result))


#: Error codes whose response is not a 200: a name that is taken is W&B's HTTP 409, which the
#: official client's ``create_automation(fetch_existing=True)`` recognises.
_HTTP_STATUS_OF_CODE = {"CONFLICT": 409}


def _status_of(result: dict[str, Any]) -> int:
    for error in result.get("errors") or ():
        code = (error.get("extensions") or {}).get("code")
        if code in _HTTP_STATUS_OF_CODE:
            return _HTTP_STATUS_OF_CODE[code]
    return 200
