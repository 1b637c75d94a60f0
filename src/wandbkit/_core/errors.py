"""The exceptions wandbkit raises, arranged so callers can ``except`` at the level they need.

The tree is drawn once, in the public :mod:`wandbkit.errors` (which re-exports these classes).

No message or repr built here contains the API key: text that may echo it (server bodies) goes
through :func:`redact` before it reaches an exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Annotations only: importing wandbkit must not pay for httpx and pydantic.
    import httpx
    import pydantic

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "GraphQLError",
    "GraphQLPermissionDeniedError",
    "IncompleteRunHistoryError",
    "IntegrityError",
    "InternalServerError",
    "NotFoundError",
    "NotLoadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "UsageError",
    "WandbkitError",
    "is_permission_denied",
    "redact",
    "request_of",
]

REDACTED = "***"


def redact(text: str, secret: str | None) -> str:
    """Replace every occurrence of ``secret`` in ``text`` with ``***``.

    Args:
        text: text that may contain the secret, such as a server's error body.
        secret: the value to hide; ``None`` or ``""`` leaves ``text`` unchanged.

    Returns:
        ``text`` without the secret.
    """
    if not secret:
        return text
    return text.replace(secret, REDACTED)


def request_of(response: httpx.Response) -> httpx.Request | None:
    """The request that ``response`` answers, or None for a response built by hand.

    A Response built by hand (tests, caches) has no request, and httpx raises on access;
    errors and the protocol both name the request when there is one.
    """
    try:
        return response.request
    except RuntimeError:
        return None


class WandbkitError(Exception):
    """Base class of every exception wandbkit raises."""


class UsageError(WandbkitError, ValueError):
    """Invalid input (argument, environment, config file), detected before any request."""


class IncompleteRunHistoryError(WandbkitError):
    """``Run.download_history_exports(require_complete_history=True)`` on a run with history
    not exported to parquet yet (typically because it is still running); as ``wandb``'s
    ``IncompleteRunHistoryError``."""


class QueuedRunFailedError(WandbkitError):
    """A queued run that was waited for failed before it ran (``failRunQueueItem``).

    Attributes:
        message: what the launch agent reported.
        stage: where it failed (``build``, ``run``, ...).
    """

    def __init__(self, item_id: str, message: str, stage: str) -> None:
        super().__init__(f"queued run {item_id!r} failed at stage {stage!r}: {message}")
        self.message = message
        self.stage = stage


class JobConfigError(UsageError, TypeError):
    """A job's config that does not fit the job's input types (``wandb`` raises ``TypeError``)."""


class NotLoadedError(UsageError):
    """An attribute of an async lazy object was read before ``await obj.load()``."""


class APIError(WandbkitError):
    """Something went wrong while talking to the server.

    Args:
        message: what went wrong, without the operation name (``str()`` adds it).
        request: the HTTP request involved, when one was built.
        operation_name: the GraphQL operation involved, when known.

    Attributes:
        message: what went wrong.
        request: the HTTP request involved, or ``None``.
        operation_name: the GraphQL operation involved, or ``None``.
    """

    message: str
    request: httpx.Request | None
    operation_name: str | None

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        operation_name: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.operation_name = operation_name

    def __str__(self) -> str:
        if self.operation_name:
            return f"{self.operation_name}: {self.message}"
        return self.message


class APIConnectionError(APIError):
    """No usable HTTP response arrived: connection refused, reset, DNS failure, TLS error."""

    def __init__(
        self,
        message: str = "connection error",
        *,
        request: httpx.Request | None = None,
        operation_name: str | None = None,
    ) -> None:
        super().__init__(message, request=request, operation_name=operation_name)


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, writing, reading, or waiting for a pooled connection)."""

    def __init__(
        self,
        message: str = "request timed out",
        *,
        request: httpx.Request | None = None,
        operation_name: str | None = None,
    ) -> None:
        super().__init__(message, request=request, operation_name=operation_name)


class APIStatusError(APIError):
    """The server answered with a non-2xx HTTP status.

    Args:
        message: what went wrong (from the body's first GraphQL error, or a snippet of it).
        response: the HTTP response.
        body: the response body parsed as JSON, or ``None`` when it is not JSON.
        request: the HTTP request; defaults to ``response.request``.
        operation_name: the GraphQL operation involved, when known.

    Attributes:
        status_code: the HTTP status. ``None`` only on an :class:`AuthenticationError` or
            :class:`NotFoundError` raised without an HTTP exchange.
        response: the HTTP response; ``None`` in the same two cases.
        body: the parsed JSON body, or ``None``.
    """

    status_code: int | None
    response: httpx.Response | None
    body: object | None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None = None,
        request: httpx.Request | None = None,
        operation_name: str | None = None,
    ) -> None:
        self._init_status(message, response, body, request, operation_name)

    def _init_status(
        self,
        message: str,
        response: httpx.Response | None,
        body: object | None,
        request: httpx.Request | None,
        operation_name: str | None,
    ) -> None:
        # Shared with _ResponseOptional, so the public base constructor keeps ``response``
        # required for everything that really is an HTTP status error.
        if request is None and response is not None:
            request = request_of(response)
        APIError.__init__(self, message, request=request, operation_name=operation_name)
        self.response = response
        self.status_code = response.status_code if response is not None else None
        self.body = body


class _ResponseOptional(APIStatusError):
    """A status error that may also be raised without an HTTP exchange (``response`` None).

    Only :class:`AuthenticationError` (no key configured) and :class:`NotFoundError` (a
    GraphQL ``null``) need that; they share this constructor, so the public
    :class:`APIStatusError` keeps ``response`` required.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response | None = None,
        body: object | None = None,
        request: httpx.Request | None = None,
        operation_name: str | None = None,
    ) -> None:
        self._init_status(message, response, body, request, operation_name)


class BadRequestError(APIStatusError):
    """HTTP 400: the server rejected the request as malformed."""


class AuthenticationError(_ResponseOptional):
    """HTTP 401, or no API key configured (raised before any request; ``response`` is None).

    Args:
        message: what went wrong, e.g. how to configure a key.
        response: the HTTP 401 response, or ``None`` when no request was sent.
        body: the parsed JSON body, or ``None``.
        request: the HTTP request, when one was built.
        operation_name: the GraphQL operation involved, when known.
    """


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the API key is valid but not allowed to do this."""


class NotFoundError(_ResponseOptional, LookupError):
    """HTTP 404, or a GraphQL ``null`` for a missing object (then ``response`` is None).

    Args:
        message: what is missing, e.g. ``"project 'e/p' not found"``.
        response: the HTTP 404 response, or ``None`` for a GraphQL ``null``.
        body: the parsed JSON body, or ``None``.
        request: the HTTP request, when known.
        operation_name: the GraphQL operation involved, when known.
    """


class ConflictError(APIStatusError):
    """HTTP 409: the request conflicts with the object's current state."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was well-formed but semantically invalid."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests.

    Args:
        message: what went wrong.
        response: the HTTP 429 response.
        body: the parsed JSON body, or ``None``.
        request: the HTTP request; defaults to ``response.request``.
        operation_name: the GraphQL operation involved, when known.
        retry_after: seconds the server asked to wait (its ``Retry-After``), if it said.

    Attributes:
        retry_after: seconds the server asked to wait, or ``None``.
    """

    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None = None,
        request: httpx.Request | None = None,
        operation_name: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message, response=response, body=body, request=request, operation_name=operation_name
        )
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """HTTP 5xx: the server failed."""


def _first_error_message(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return "unknown GraphQL error"
    message = errors[0].get("message")
    text = message if isinstance(message, str) and message else "GraphQL error without a message"
    if len(errors) > 1:
        text += f" (+{len(errors) - 1} more)"
    return text


def _first_error_path(errors: list[dict[str, Any]]) -> list[str | int] | None:
    if not errors:
        return None
    path = errors[0].get("path")
    if not isinstance(path, list):
        return None
    return [item for item in path if isinstance(item, (str, int)) and not isinstance(item, bool)]


class GraphQLError(APIError):
    """The server answered with GraphQL ``errors`` (possibly beside partial ``data``).

    Args:
        errors: the response's ``errors`` list, as sent (already redacted by the caller).
        data: the partial ``data`` that came with the errors, if any.
        request: the HTTP request, when known.
        operation_name: the GraphQL operation involved, when known.

    Attributes:
        errors: the raw error objects.
        message: the first error's message, with ``(+N more)`` when there are several.
        path: the first error's ``path`` (field names and list indexes), or ``None``.
        data: the partial data, or ``None``.
    """

    errors: list[dict[str, Any]]
    path: list[str | int] | None
    data: dict[str, Any] | None

    def __init__(
        self,
        errors: list[dict[str, Any]],
        *,
        data: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
        operation_name: str | None = None,
    ) -> None:
        super().__init__(
            _first_error_message(errors), request=request, operation_name=operation_name
        )
        self.errors = errors
        self.path = _first_error_path(errors)
        self.data = data

    def __str__(self) -> str:
        text = super().__str__()
        if self.path:
            text += f" (at {'.'.join(str(item) for item in self.path)})"
        return text


class GraphQLPermissionDeniedError(GraphQLError, PermissionDeniedError):
    """GraphQL ``errors`` that all say ``PERMISSION_DENIED``: the key is valid, the action is
    not allowed (an admin-only call by a non-admin, say). Both a :class:`GraphQLError` (with
    the server's reason, path and partial data) and a :class:`PermissionDeniedError`, whose
    ``status_code`` is that of the GraphQL answer (200).

    Args:
        errors: the response's ``errors`` list (already redacted by the caller).
        response: the HTTP response that carried them.
        data: the partial ``data``, if any.
        operation_name: the GraphQL operation involved, when known.
    """

    def __init__(
        self,
        errors: list[dict[str, Any]],
        *,
        response: httpx.Response,
        data: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> None:
        self._init_status(_first_error_message(errors), response, None, None, operation_name)
        self.errors = errors
        self.path = _first_error_path(errors)
        self.data = data


def is_permission_denied(errors: list[dict[str, Any]]) -> bool:
    """Whether every GraphQL error says ``extensions.code == "PERMISSION_DENIED"``."""
    return bool(errors) and all(
        isinstance(error.get("extensions"), dict)
        and error["extensions"].get("code") == "PERMISSION_DENIED"
        for error in errors
    )


class IntegrityError(APIError, ValueError):
    """A download's size or checksum did not match what the server promised (nothing kept).

    Also a ``ValueError``, which ``wandb``'s ``Artifact.verify()`` raises when files differ.
    """


class ResponseValidationError(APIError):
    """The server's answer did not match the operation's generated result model.

    Usually the schema and the server disagree (a field the schema says is non-null came back
    null). Input values are never kept: they may hold secrets.

    Args:
        errors: pydantic error dicts without ``input``/``ctx``/``url``.
        operation_name: the GraphQL operation whose result failed to validate.
        request: the HTTP request, when known.

    Attributes:
        errors: the pydantic error dicts (``loc``, ``msg``, ``type``).
    """

    errors: list[dict[str, Any]]

    def __init__(
        self,
        errors: list[dict[str, Any]],
        *,
        operation_name: str | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(self._describe(errors), request=request, operation_name=operation_name)
        self.errors = errors

    @staticmethod
    def _describe(errors: list[dict[str, Any]]) -> str:
        if not errors:
            return "response did not match the expected model"
        first = errors[0]
        loc = ".".join(str(part) for part in first.get("loc", ()))
        msg = str(first.get("msg", "invalid value"))
        text = f"{loc}: {msg}" if loc else msg
        if len(errors) > 1:
            text += f" (+{len(errors) - 1} more)"
        return text

    @classmethod
    def from_pydantic(
        cls, exc: pydantic.ValidationError, operation_name: str
    ) -> ResponseValidationError:
        """Build the error from pydantic's, dropping input values and context.

        Args:
            exc: the validation error raised by ``Model.model_validate``.
            operation_name: the GraphQL operation whose result failed to validate.

        Returns:
            The error to raise (use ``raise ... from None`` to drop pydantic's message, which
            quotes input values).
        """
        # ctx can carry the validator's exception object, whose text may quote the input.
        details = exc.errors(include_url=False, include_context=False, include_input=False)
        return cls([dict(detail) for detail in details], operation_name=operation_name)
