"""Base class of the generated GraphQL client.

Copied by ariadne-codegen into ``wandbkit/_generated/``; its sync twin is written by unasync.
All behaviour lives in ``wandbkit._async.executor`` (hand-written, typed, tested): this class only
gives the generated methods the name they inherit from.
"""

from wandbkit._async.executor import AsyncGraphQLExecutor


class AsyncBaseClient(AsyncGraphQLExecutor):
    """The generated operations' base: sends through wandbkit's transport core."""
