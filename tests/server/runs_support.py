"""Shared pieces of the runs tests: a small project of runs, GraphQL documents, error checks."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx

from wandbkit.server.store import RunRow, Store
from wandbkit.server.testing import add_run

from .conftest import ServerApp

PATH = "demo/runs-test"

RUNS = """
query Runs($entity: String!, $project: String!, $cursor: String, $perPage: Int,
           $order: String, $filters: JSONString) {
  project(name: $project, entityName: $entity) {
    runCount(filters: $filters)
    runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
      edges { cursor node { name } }
      pageInfo { endCursor hasNextPage }
    }
  }
}
"""

RUN = """
query Run($entity: String!, $project: String!, $name: String!) {
  project(name: $project, entityName: $entity) {
    run(name: $name) { %s }
  }
}
"""

#: (name, lr, loss or None, state, created day, tags)
SPECS: list[tuple[str, float, float | None, str, int, list[str]]] = [
    ("aaaa0001", 0.1, 0.50, "finished", 1, ["baseline"]),
    ("aaaa0002", 0.01, 0.20, "finished", 2, []),
    ("aaaa0003", 0.001, None, "crashed", 3, ["baseline", "x"]),
    ("aaaa0004", 0.03, 0.35, "finished", 4, []),
    ("aaaa0005", 0.003, 0.10, "running", 5, ["x"]),
    ("aaaa0006", 0.3, 0.90, "failed", 6, []),
    ("aaaa0007", 0.02, 0.20, "finished", 7, ["baseline"]),
]


def make_runs(server_app: ServerApp) -> list[RunRow]:
    """Seven runs in ``demo/runs-test``, created a day apart, with lr, loss, states and tags."""
    runs = []
    for name, lr, loss, state, day, tags in SPECS:
        runs.append(
            add_run(
                server_app.store,
                PATH,
                name,
                config={"lr": lr, "model": "m" + name[-1]},
                summary={"loss": loss} if loss is not None else {"acc": 0.5},
                state=state,
                tags=tags,
                created_at=f"2024-01-{day:02d}T00:00:00Z",
            )
        )
    return runs


def variables(**extra: Any) -> dict[str, Any]:
    entity, project = PATH.split("/")
    return {"entity": entity, "project": project, **extra}


def md5_b64(data: bytes) -> str:
    """The base64 md5 digest W&B reports for file bytes, computed independently of the server."""
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The single error of a 200 response."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" in body, body
    (error,) = body["errors"]
    assert isinstance(error, dict)
    return error


def project_pk(store: Store) -> int:
    entity, project = PATH.split("/")
    owner = store.entities.get(entity)
    assert owner is not None
    row = store.projects.get(owner.pk, project)
    assert row is not None
    return row.pk
