"""Who made the request being answered: the user the API key belongs to, for the writes it
makes (an automation's ``${event_author}`` is the user whose request fired it).

:class:`ActorMiddleware` starts every request with no actor and restores the previous value
afterwards (so nothing leaks between requests, even when the app runs in the caller's task, as
under ``httpx.ASGITransport``); the authentication of ``/graphql`` and the other routes
records the user with :func:`note_actor`. The value is a context variable: a worker thread
that a handler starts with ``run_in_threadpool`` sees it, and the automations dispatcher, run
in the writer's thread right after the write commits, reads it with :func:`current_actor`.
Writes made outside a request (the crash watcher, a seed, a test's direct store calls) have
none.
"""

from __future__ import annotations

from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ActorMiddleware", "current_actor", "note_actor"]

_ACTOR: ContextVar[int | None] = ContextVar("wandbkit_server_actor", default=None)


def note_actor(user_pk: int | None) -> None:
    """Record the authenticated user of the request being answered."""
    _ACTOR.set(user_pk)


def current_actor() -> int | None:
    """The user whose request is being answered, or ``None`` outside a request."""
    return _ACTOR.get()


class ActorMiddleware:
    """Scopes :func:`note_actor` to one request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _ACTOR.set(None)
        try:
            await self.app(scope, receive, send)
        finally:
            _ACTOR.reset(token)
