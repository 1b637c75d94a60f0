"""A small W&B application: a project's leaderboard, built on wandbkit.

``top_runs`` ranks a project's finished runs by a summary metric, ``model_card`` reads a file a
run logged, and ``count_finished_runs`` sends a GraphQL document of our own
(``queries/project_run_count.graphql``) for a number wandbkit has no method for.

Example:
    >>> import wandbkit
    >>> api = wandbkit.Api()  # WANDB_API_KEY / WANDB_BASE_URL from the environment
    >>> for entry in top_runs(api, "my-team/mnist", metric="accuracy", n=3):  # doctest: +SKIP
    ...     print(f"{entry.value:.3f}  {entry.name}")
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx

import wandbkit

QUERIES = Path(__file__).resolve().parent / "queries"


@dataclass(frozen=True)
class Entry:
    """One line of the leaderboard."""

    run_id: str
    name: str
    value: float


def top_runs(api: wandbkit.Api, path: str, *, metric: str, n: int = 3) -> list[Entry]:
    """The ``n`` finished runs of a project with the highest ``summary[metric]``.

    The server filters and sorts (one request per page); runs that never logged the metric are
    left out.
    """
    runs = api.runs(path, filters={"state": "finished"}, order=f"-summary_metrics.{metric}")
    entries: list[Entry] = []
    for run in runs:
        value = run.summary.get(metric)
        if isinstance(value, (int, float)):
            entries.append(Entry(run.id, run.name or run.id, float(value)))
        if len(entries) == n:
            break
    return entries


def model_card(api: wandbkit.Api, run_path: str, filename: str = "model_card.md") -> str:
    """The text of a file a run logged (fetched through its signed download URL)."""
    return api.run(run_path).file(filename).read_bytes().decode("utf-8")


def count_finished_runs(api: wandbkit.Api, path: str) -> int:
    """How many finished runs a project has, with our own GraphQL document.

    ``wandbkit schema check queries/`` keeps this document honest against the server's schema.
    """
    entity, project = path.split("/")
    response = httpx.post(
        api.settings.graphql_url,
        json={
            "query": (QUERIES / "project_run_count.graphql").read_text(),
            "operationName": "ProjectRunCount",
            "variables": {
                "entity": entity,
                "project": project,
                "filters": json.dumps({"state": "finished"}),
            },
        },
        auth=("api", api.api_key or ""),
        timeout=30,
    )
    response.raise_for_status()
    count: int = response.json()["data"]["project"]["runCount"]
    return count
