"""Every exception wandbkit raises, in one tree you can ``except`` at the right level.

::

    WandbkitError
    ├── IncompleteRunHistoryError: history exports asked complete while rows are live
    ├── QueuedRunFailedError: a queued run that was waited for failed before it ran
    ├── UsageError (also a ValueError): bad input, raised before any request
    │   ├── JobConfigError (also a TypeError): a job's config that does not fit its inputs
    │   └── NotLoadedError: an async lazy object read before ``await obj.load()``
    └── APIError: something went wrong talking to the server
        ├── APIConnectionError
        │   └── APITimeoutError
        ├── APIStatusError: an HTTP status, one class per code
        │   ├── BadRequestError (400)
        │   ├── AuthenticationError (401, or no API key configured)
        │   ├── PermissionDeniedError (403)
        │   ├── NotFoundError (404, or a missing object; also a LookupError)
        │   ├── ConflictError (409)
        │   ├── UnprocessableEntityError (422)
        │   ├── RateLimitError (429, with ``retry_after``)
        │   └── InternalServerError (5xx)
        ├── GraphQLError: the server answered with ``errors`` (keeps path and partial data)
        │   └── GraphQLPermissionDeniedError: all of them PERMISSION_DENIED (also a
        │       PermissionDeniedError)
        ├── IntegrityError: a download's size or md5 did not match (nothing is kept)
        └── ResponseValidationError: the answer did not match the generated model
"""

from wandbkit._core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GraphQLError,
    GraphQLPermissionDeniedError,
    IncompleteRunHistoryError,
    IntegrityError,
    InternalServerError,
    JobConfigError,
    NotFoundError,
    NotLoadedError,
    PermissionDeniedError,
    QueuedRunFailedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    UsageError,
    WandbkitError,
)

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
    "JobConfigError",
    "NotFoundError",
    "NotLoadedError",
    "PermissionDeniedError",
    "QueuedRunFailedError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "UsageError",
    "WandbkitError",
]
