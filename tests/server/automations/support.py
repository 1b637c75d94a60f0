"""Helpers of the automations tests: a webhook receiver on loopback, official-client inputs,
and waiting for firings to settle."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from wandbkit.server.ids import encode_id
from wandbkit.server.store import Store

FIRINGS = "/_wandbkit/automations/firings"


@dataclass
class Receiver:
    """A webhook receiver: it answers the next codes of ``codes`` (then 200) and keeps every
    request's JSON body and headers."""

    url: str
    codes: list[int] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def receiver(codes: list[int] | None = None) -> Iterator[Receiver]:
    """A receiver on ``127.0.0.1`` and a free port, for the duration of the block."""
    state = Receiver(url="", codes=list(codes or []))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
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


async def settled_firings(
    client: httpx.AsyncClient, entity: str, count: int, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The entity's firings once at least ``count`` exist and none is ``PENDING``."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(FIRINGS, params={"entity": entity})
        assert response.status_code == 200, response.text
        firings: list[dict[str, Any]] = response.json()["firings"]
        done = len(firings) >= count and all(f["status"] != "PENDING" for f in firings)
        if done or time.monotonic() > deadline:
            return firings
        time.sleep(0.05)


def project_id(store: Store, entity: str, project: str) -> str:
    """The GraphQL id of a project (creating it if missing)."""
    found = store.projects.find(entity, project)
    if found is None:
        owner = store.entities.get(entity)
        assert owner is not None
        found, _ = store.projects.upsert(owner.pk, project, creator_pk=None)
    return encode_id("Project", found.pk)


def official_input(event: Any, action: Any, name: str) -> dict[str, Any]:
    """The ``CreateFilterTriggerInput`` the official client (wandb 0.31.0) sends for
    ``event >> action``; skips the test without the official package."""
    from wandb.automations._inputs import prepare_to_create

    created = prepare_to_create(event >> action, name=name)
    variables: dict[str, Any] = created.model_dump(mode="json", by_alias=True)
    return variables


def official_automation(trigger: dict[str, Any]) -> Any:
    """A ``Trigger`` of a response parsed as the official client parses it: through its
    generated ``TriggerFields`` model, then as a ``wandb.automations.Automation``."""
    from wandb.automations import Automation
    from wandb.automations._generated import TriggerFields

    return Automation.model_validate(TriggerFields.model_validate(trigger))
