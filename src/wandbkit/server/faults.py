"""Fault injection: make the local server fail the way a real network and W&B's servers do.

Code that talks to W&B must survive 429s with ``Retry-After``, 5xx bursts, dropped connections
and slow answers. A :class:`Faults` plan, consulted by an ASGI middleware in front of the app,
injects exactly those, per GraphQL operation and per route, so a test can prove its code
survives them::

    faults = Faults(seed=7)
    faults.add(Fault.status(502), operation="GetRuns", rate=0.3)
    faults.add(Fault.status(429, retry_after=0.01), route="/graphql", times=3)
    faults.add(Fault.drop(), route="/signed/files/*", times=1)
    faults.add(Fault.status(502, after_apply=True), operation="UpsertBucket", times=1)
    app = create_app(store, faults=faults)

From the pytest plugin: ``@pytest.mark.wandb_faults(Fault.status(502), rate=0.3)`` on a test,
or ``wandb_server.faults.add(...)`` inside it.

``after_apply=True`` is the ambiguous failure: the server does the work (a mutation is
applied) and then the answer is lost, which is what a client must not "fix" by applying the
change twice. Drawing is seeded, so a failing run can be replayed; :attr:`Faults.injected`
records what was injected, in order.
"""

from __future__ import annotations

import asyncio
import enum
import fnmatch
import json
import random
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import httpx

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["Fault", "FaultKind", "FaultMiddleware", "FaultRule", "Faults", "InjectedDisconnect"]


class FaultKind(enum.Enum):
    """What an injected fault does to a request."""

    LATENCY = "latency"
    STATUS = "status"
    DROP = "drop"
    TRUNCATE = "truncate"


class InjectedDisconnect(httpx.RemoteProtocolError):
    """The connection is dropped mid-answer (an injected fault).

    Over a socket the server closes the connection and the client sees its own
    ``httpx.RemoteProtocolError``; in-process (``httpx.ASGITransport``) this exception reaches
    the client directly, as the same kind of transport error.
    """


@dataclass(frozen=True)
class Fault:
    """One kind of failure; build it with :meth:`latency`, :meth:`status`, :meth:`drop` or
    :meth:`truncate`."""

    kind: FaultKind
    status_code: int = 503
    retry_after: float | None = None
    delay: float = 0.0
    after_apply: bool = False

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """Answer normally, ``seconds`` late."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        return cls(FaultKind.LATENCY, delay=seconds)

    @classmethod
    def status(
        cls, status_code: int, *, retry_after: float | None = None, after_apply: bool = False
    ) -> Fault:
        """Answer ``status_code`` (with ``Retry-After`` if given) instead of the real answer.

        Args:
            status_code: an HTTP error status, 400-599 (429, 500, 502, 503 are the usual).
            retry_after: seconds for the ``Retry-After`` header.
            after_apply: run the request first (its effects happen), then answer the error.
        """
        if not 400 <= status_code <= 599:
            raise ValueError(f"status_code must be an HTTP error status 400-599, got {status_code}")
        return cls(
            FaultKind.STATUS,
            status_code=status_code,
            retry_after=retry_after,
            after_apply=after_apply,
        )

    @classmethod
    def drop(cls, *, after_apply: bool = True) -> Fault:
        """Start the answer, then drop the connection mid-body (by default after the server
        acted, as when a connection dies on the way back)."""
        return cls(FaultKind.DROP, after_apply=after_apply)

    @classmethod
    def truncate(cls) -> Fault:
        """Answer 200 with only the first half of the real body (truncated JSON)."""
        return cls(FaultKind.TRUNCATE, after_apply=True)


@dataclass
class FaultRule:
    """When a fault applies: a request matching ``route`` (a glob on the path), ``method`` and
    ``operation`` (a glob on the GraphQL ``operationName``; ``None`` matches any request), drawn
    with probability ``rate``, at most ``times`` times (``None``: no limit)."""

    fault: Fault
    route: str = "*"
    method: str | None = None
    operation: str | None = None
    rate: float = 1.0
    times: int | None = None
    used: int = field(default=0, init=False)

    def matches(self, method: str, path: str, operation: str | None) -> bool:
        """Whether the request is one this rule is about (before the draw)."""
        if self.times is not None and self.used >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if not fnmatch.fnmatchcase(path, self.route):
            return False
        if self.operation is None:
            return True
        return operation is not None and fnmatch.fnmatchcase(operation, self.operation)


@dataclass(frozen=True)
class InjectedFault:
    """A record of one fault that was injected."""

    method: str
    path: str
    operation: str | None
    fault: Fault


class Faults:
    """A seeded, thread-safe plan of faults for :class:`FaultMiddleware`.

    Rules are tried in the order they were added; the first that matches and wins its draw
    applies. An empty plan costs one lock-free check per request.
    """

    def __init__(self, *, seed: int = 0) -> None:
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: list[InjectedFault] = []

    def add(
        self,
        fault: Fault,
        *,
        route: str = "*",
        method: str | None = None,
        operation: str | None = None,
        rate: float = 1.0,
        times: int | None = None,
    ) -> FaultRule:
        """Add a rule (see :class:`FaultRule`) and return it."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        if times is not None and times < 0:
            raise ValueError(f"times must be >= 0 or None, got {times!r}")
        rule = FaultRule(fault, route, method, operation, rate, times)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule (the record of injected faults stays)."""
        with self._lock:
            self._rules.clear()

    @property
    def active(self) -> bool:
        """Whether any rule is set."""
        return bool(self._rules)

    def needs_operation(self) -> bool:
        """Whether some rule looks at the GraphQL operation name (so the body must be read)."""
        return any(rule.operation is not None for rule in self._rules)

    def pick(self, method: str, path: str, operation: str | None) -> Fault | None:
        """The fault to inject into this request, or ``None``; counts and records it."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path, operation):
                    continue
                if rule.rate < 1.0 and self._random.random() >= rule.rate:
                    continue
                rule.used += 1
                self.injected.append(InjectedFault(method, path, operation, rule.fault))
                return rule.fault
        return None


def _operation_name(body: bytes) -> str | None:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    name = payload.get("operationName") if isinstance(payload, dict) else None
    return name if isinstance(name, str) and name else None


class FaultMiddleware:
    """ASGI middleware that injects the faults a :class:`Faults` plan picks."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, or fail it as the plan says."""
        if scope["type"] != "http" or not self.faults.active:
            await self.app(scope, receive, send)
            return
        operation = None
        if self.faults.needs_operation() and scope["method"] == "POST":
            body = await _read_all(receive)
            operation = _operation_name(body)
            receive = _replay(body)
        fault = self.faults.pick(scope["method"], scope["path"], operation)
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind is FaultKind.LATENCY:
            await asyncio.sleep(fault.delay)
            await self.app(scope, receive, send)
        else:
            await self._fail(fault, scope, receive, send)

    async def _fail(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        status, headers, body = 200, [(b"content-type", b"application/json")], b""
        if fault.after_apply:
            status, headers, body = await _captured(self.app, scope, receive)
        if fault.kind is FaultKind.STATUS:
            message = f"injected fault: HTTP {fault.status_code}"
            error = json.dumps({"errors": [{"message": message}]}).encode()
            extra = [(b"content-type", b"application/json")]
            if fault.retry_after is not None:
                extra.append((b"retry-after", f"{fault.retry_after:g}".encode()))
            await _respond(send, fault.status_code, extra, error)
            return
        if fault.kind is FaultKind.TRUNCATE:
            await _respond(send, status, _without_length(headers), body[: len(body) // 2])
            return
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    *_without_length(headers),
                    (b"content-length", b"%d" % (len(body) + 1)),
                ],
            }
        )
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        raise InjectedDisconnect("injected fault: the connection was dropped mid-answer")


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _captured(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run ``app`` to completion and keep its answer instead of sending it."""
    status, headers, chunks = 500, [], []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


def _without_length(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() != b"content-length"]


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})
