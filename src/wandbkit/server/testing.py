"""Helpers for tests that need the local server: in-process, or on a loopback port.

Example:
    >>> from wandbkit.server.testing import running_server
    >>> with running_server() as server:
    ...     print(server.base_url)  # http://127.0.0.1:<free port>

    >>> app, seed = make_seeded_app()
    >>> transport = asgi_transport(app)  # httpx.AsyncClient(transport=transport, ...)
    >>> run = add_run(app.state.store, "demo/vision", config={"lr": 0.1},
    ...               history=[{"loss": 1.0}, {"loss": 0.5}], files={"notes.txt": b"hi"})
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from wandbkit.server.app import create_app
from wandbkit.server.faults import Faults
from wandbkit.server.run_watch import DEFAULT_SILENCE_LIMIT
from wandbkit.server.seed import SeedResult, seed_basic
from wandbkit.server.store import RunRow, Store, StoreError
from wandbkit.server.store.runs import wrap_config
from wandbkit.server.urls import HEALTH_PATH

#: How long :func:`running_server` waits for the server to answer ``/healthz``.
STARTUP_TIMEOUT = 15.0
#: How long it waits for the server thread to finish after asking it to stop.
SHUTDOWN_TIMEOUT = 10.0


@dataclass(frozen=True)
class ServerHandle:
    """A running local server.

    Attributes:
        base_url: e.g. ``http://127.0.0.1:54321`` (no trailing slash); use as
            ``WANDB_BASE_URL``.
        api_key: a valid key for ``seed.username``; use as ``WANDB_API_KEY``.
        store: the server's store; tests may add data directly.
        seed: what the seed created.
        faults: the server's fault-injection plan (:mod:`wandbkit.server.faults`); add rules
            to it while the server runs.
    """

    base_url: str
    api_key: str = field(repr=False)
    store: Store
    seed: SeedResult
    faults: Faults = field(default_factory=Faults, repr=False)

    @property
    def graphql_url(self) -> str:
        """The GraphQL endpoint."""
        return f"{self.base_url}/graphql"

    def env(self) -> dict[str, str]:
        """``WANDB_BASE_URL`` and ``WANDB_API_KEY`` for a client process."""
        return {"WANDB_BASE_URL": self.base_url, "WANDB_API_KEY": self.api_key}


def basic_auth_header(api_key: str, *, username: str = "api") -> dict[str, str]:
    """The ``Authorization`` header W&B clients send: ``Basic base64("api:" + key)``."""
    token = base64.b64encode(f"{username}:{api_key}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def asgi_transport(app: Starlette) -> httpx.ASGITransport:
    """An httpx transport that calls ``app`` in-process (no socket); for async clients."""
    return httpx.ASGITransport(app=app)


def make_seeded_app(store: Store | None = None) -> tuple[Starlette, SeedResult]:
    """An app over ``store`` (default: a fresh in-memory store) seeded with :func:`seed_basic`.

    The store is ``app.state.store``.
    """
    store = store if store is not None else Store()
    seed = seed_basic(store)
    return create_app(store), seed


def add_run(
    store: Store,
    path: str,
    name: str | None = None,
    *,
    config: Mapping[str, Any] | None = None,
    summary: Mapping[str, Any] | None = None,
    history: Sequence[Mapping[str, Any]] = (),
    files: Mapping[str, bytes] | None = None,
    logs: Sequence[str | Mapping[str, Any]] = (),
    username: str | None = None,
    **fields: Any,
) -> RunRow:
    """Create a run with its data in one call, for test fixtures.

    Args:
        store: the store.
        path: ``"entity/project"``; the entity must exist, the project is created if missing.
        name: the run id (default: random, 8 characters).
        config: plain config values; stored in W&B's wrapped form.
        summary: the summary (default: the last values of ``history``, as ``wandb.log``
            leaves it).
        history: rows to log (``_step``, ``_runtime`` and ``_timestamp`` are filled in).
        files: file names and their bytes.
        logs: console output lines: texts, or mappings with ``line`` and optional ``level``
            (``"error"`` for stderr), ``timestamp`` and ``label`` (see
            :meth:`Console.append`).
        username: the run's user (default: the owner of a personal entity, else none).
        **fields: more :meth:`Runs.create` arguments (``state``, ``tags``,
            ``group_name``, ``created_at``...).

    Returns:
        The run as stored after everything was added.

    Raises:
        StoreError: a bad path, name or value.
    """
    entity_name, sep, project_name = path.partition("/")
    entity = store.entities.get(entity_name) if sep else None
    if entity is None or not project_name:
        raise StoreError(f"path must be 'entity/project' with an existing entity, got {path!r}")
    user = (
        store.accounts.get_user(username)
        if username
        else store.accounts.get_user_by_entity(entity.pk)
    )
    if username and user is None:
        raise StoreError(f"user {username!r} does not exist")
    project = store.projects.get(entity.pk, project_name)
    if project is None:
        project, _ = store.projects.upsert(
            entity.pk, project_name, creator_pk=user.pk if user else None
        )
    run = store.runs.create(
        project.pk,
        name,
        user_pk=user.pk if user else None,
        config=wrap_config(config or {}),
        summary=summary,
        **fields,
    )
    if history:
        run = store.history.append(run.pk, history, update_summary=summary is None)
    for file_name, data in (files or {}).items():
        store.run_files.put(run.pk, file_name, data)
    if logs:
        store.console.append(run.pk, logs)
    return run


def _bind_loopback(host: str, port: int) -> socket.socket:
    # Binding here, not in uvicorn, tells us the port before the server starts, without the
    # race of "find a free port, then hope it is still free".
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on accepted sockets
    # whose proto says TCP, and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def running_server(
    store: Store | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: SeedResult | None = None,
    faults: Faults | None = None,
    run_silence_limit: float | None = DEFAULT_SILENCE_LIMIT,
) -> Iterator[ServerHandle]:
    """Run the server with uvicorn in a background thread for the duration of a block.

    Args:
        store: the data to serve; default a fresh in-memory store (closed on exit). A store
            passed in is left open.
        host: the interface to listen on (loopback by default).
        port: the port; ``0`` picks a free one.
        seed: the seed to report in the handle; default :func:`seed_basic` on ``store``
            (which reuses existing users and adds a key).
        faults: a fault-injection plan; default an empty one (``handle.faults``).
        run_silence_limit: seconds without a ``file_stream`` request after which a running
            run becomes ``crashed`` (``None``: never); see :mod:`wandbkit.server.run_watch`.

    Yields:
        A :class:`ServerHandle` once ``/healthz`` answers 200.

    Raises:
        RuntimeError: the server did not become healthy in :data:`STARTUP_TIMEOUT` seconds.
    """
    owns_store = store is None
    store = store if store is not None else Store()
    seed = seed if seed is not None else seed_basic(store)
    sock = _bind_loopback(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    url_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    base_url = f"http://{url_host}:{bound_port}"
    faults = faults if faults is not None else Faults()
    config = uvicorn.Config(
        create_app(store, faults=faults, run_silence_limit=run_silence_limit),
        log_config=None,  # leave the host process's logging (pytest's capture) alone
        log_level="warning",
        access_log=False,
        lifespan="on",  # the run watcher (see create_app)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="wandbkit-server", daemon=True
    )
    thread.start()
    try:
        _wait_until_healthy(base_url, thread)
        yield ServerHandle(
            base_url=base_url, api_key=seed.api_key, store=store, seed=seed, faults=faults
        )
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        sock.close()
        if owns_store:
            store.close()


def _wait_until_healthy(base_url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(timeout=1.0, trust_env=False) as client:
        while True:
            try:
                if client.get(f"{base_url}{HEALTH_PATH}").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if not thread.is_alive():
                raise RuntimeError("the local server thread exited during startup")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the local server at {base_url} was not healthy after {STARTUP_TIMEOUT} s"
                )
            time.sleep(0.02)


@dataclass
class Receiver:
    """A webhook receiver (:func:`webhook_receiver`): it answers the next of ``codes`` (then
    200) and keeps every request's JSON body and headers, in arrival order."""

    url: str
    codes: list[int] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@contextlib.contextmanager
def webhook_receiver(codes: Sequence[int] = ()) -> Iterator[Receiver]:
    """A webhook receiver on ``127.0.0.1`` and a free port, for the duration of the block:
    point an automation's webhook integration at ``receiver.url`` and read what the server
    sent from ``receiver.bodies``.

    Args:
        codes: the status codes of the first requests (then 200), to test retries.
    """
    state = Receiver(url="", codes=list(codes))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state.bodies.append(json.loads(body))
                state.headers.append(dict(self.headers))
                code = state.codes.pop(0) if state.codes else 200
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
