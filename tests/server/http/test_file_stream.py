"""``POST /files/{entity}/{project}/{run}/file_stream``: the protocol wandb-core speaks, in-process.

Offsets make re-sent chunks harmless, ``complete`` ends the run, every request needs a key,
bad bodies are 400s (never 5xx), and a run stopped through the API hears ``stopped``.
"""

from __future__ import annotations

import gzip
import json
import math
from datetime import timedelta
from typing import Any

import httpx
import pytest

from wandbkit.server.store import RunRow
from wandbkit.server.testing import asgi_transport, basic_auth_header

from ..conftest import BASE_URL, PostGraphQL, ServerApp

UPSERT = """
mutation UpsertBucket($name: String, $project: String, $config: JSONString) {
  upsertBucket(input: {name: $name, modelName: $project, config: $config}) {
    bucket { id name } inserted
  }
}
"""


def history_lines(first: int, count: int) -> list[str]:
    return [
        json.dumps({"_step": step, "loss": 1 / (step + 1), "_runtime": step, "_timestamp": 1e9})
        for step in range(first, first + count)
    ]


@pytest.fixture
async def run(server_app: ServerApp, gql: PostGraphQL) -> RunRow:
    response = await gql(UPSERT, {"name": "streamed", "project": "p", "config": "{}"})
    assert response.status_code == 200, response.text
    found = server_app.store.runs.find(server_app.seed.entity, "p", "streamed")
    assert found is not None
    return found


def stream_url(server_app: ServerApp, run_name: str = "streamed") -> str:
    return f"/files/{server_app.seed.entity}/p/{run_name}/file_stream"


async def post(client: httpx.AsyncClient, url: str, body: Any, **kwargs: Any) -> httpx.Response:
    return await client.post(url, json=body, **kwargs)


def stored(server_app: ServerApp, run: RunRow) -> RunRow:
    again = server_app.store.runs.get_by_pk(run.pk)
    assert again is not None
    return again


async def test_history_summary_events_and_console_are_stored(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow
) -> None:
    summary = {"loss": 0.25, "best": 0.9, "_step": 3}
    event = {"system.cpu": 12.5, "_runtime": 0.4, "_timestamp": 1e9, "_wandb": True}
    body = {
        "files": {
            "wandb-history.jsonl": {"offset": 0, "content": history_lines(0, 4)},
            "wandb-summary.json": {"offset": 0, "content": [json.dumps(summary)]},
            "wandb-events.jsonl": {"offset": 0, "content": [json.dumps(event)]},
            "output.log": {
                "offset": 0,
                "content": [
                    json.dumps({"ts": "2026-12-02T16:27:25.142365", "content": "epoch 1"}),
                    json.dumps({"ts": "2026-12-02T16:27:26", "content": "oops", "level": "error"}),
                ],
            },
        }
    }
    response = await post(client, stream_url(server_app), body)
    assert response.status_code == 200, response.text
    assert response.json() == {"exitcode": None, "limits": {}}
    after = stored(server_app, run)
    assert after.history_line_count == 4 and after.last_step == 3
    assert json.loads(after.summary) == summary
    assert json.loads(after.system_metrics) == {
        "system.cpu": 12.5,
        "_runtime": 0.4,
        "_timestamp": 1e9,
    }
    assert [json.loads(r)["_step"] for r in server_app.store.history.rows(run.pk)] == [0, 1, 2, 3]
    assert server_app.store.history.event_count(run.pk) == 1
    lines = server_app.store.console.lines(run.pk, limit=10)
    assert [(line.line, line.level) for line in lines] == [("epoch 1", None), ("oops", "error")]
    assert lines[0].timestamp is not None and lines[0].timestamp.startswith("2026-12-02T16:27:25")


async def test_a_chunk_sent_again_is_not_stored_twice(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow
) -> None:
    first = {"files": {"wandb-history.jsonl": {"offset": 0, "content": history_lines(0, 5)}}}
    for _ in range(3):  # the answer was lost twice; wandb-core re-sends the identical body
        assert (await post(client, stream_url(server_app), first)).status_code == 200
    # An overlapping chunk: lines 3-4 are known, 5-7 are new.
    overlap = {"files": {"wandb-history.jsonl": {"offset": 3, "content": history_lines(3, 5)}}}
    assert (await post(client, stream_url(server_app), overlap)).status_code == 200
    steps = [json.loads(r)["_step"] for r in server_app.store.history.rows(run.pk)]
    assert steps == list(range(8))
    assert stored(server_app, run).history_line_count == 8


async def test_a_gap_is_stored_and_recognised_when_sent_again(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow
) -> None:
    await post(
        client,
        stream_url(server_app),
        {"files": {"wandb-history.jsonl": {"offset": 0, "content": history_lines(0, 2)}}},
    )
    gap = {"files": {"wandb-history.jsonl": {"offset": 5, "content": history_lines(5, 2)}}}
    for _ in range(2):
        assert (await post(client, stream_url(server_app), gap)).status_code == 200
    steps = [json.loads(r)["_step"] for r in server_app.store.history.rows(run.pk)]
    assert steps == [0, 1, 5, 6]
    assert server_app.store.file_streams.offsets(run.pk)["wandb-history.jsonl"] == 7


async def test_console_lines_sent_again_at_their_offset_replace_the_old_ones(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow
) -> None:
    def console(offset: int, *texts: str) -> dict[str, Any]:
        content = [json.dumps({"ts": "2026-12-02T16:27:25", "content": t}) for t in texts]
        return {"files": {"output.log": {"offset": offset, "content": content}}}

    await post(client, stream_url(server_app), console(0, "start", "progress 10%"))
    # A carriage return rewrote line 1; wandb-core sends it again at its number.
    await post(client, stream_url(server_app), console(1, "progress 100%", "done"))
    lines = server_app.store.console.lines(run.pk, limit=10)
    assert [line.line for line in lines] == ["start", "progress 100%", "done"]
    assert [line.number for line in lines] == [0, 1, 2]


async def test_legacy_console_lines_are_parsed() -> None:
    from wandbkit.server.http.file_stream import console_line

    assert console_line("ERROR 2026-12-02T16:27:25.5 [rank1] boom") == {
        "line": "boom",
        "level": "error",
        "timestamp": "2026-12-02T16:27:25.5",
        "label": "rank1",
    }
    assert console_line("plain text") == {"line": "plain text"}


@pytest.mark.parametrize(("exitcode", "state"), [(0, "finished"), (1, "failed")])
async def test_complete_ends_the_run_by_its_exit_code(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow, exitcode: int, state: str
) -> None:
    assert stored(server_app, run).state == "running"
    response = await post(
        client,
        stream_url(server_app),
        {"uploaded": ["config.yaml"], "complete": True, "exitcode": exitcode},
    )
    assert response.status_code == 200
    assert stored(server_app, run).state == state


async def test_every_request_is_a_heartbeat(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow
) -> None:
    before = server_app.store.now()
    server_app.store.clock = lambda: before + timedelta(minutes=3)
    assert (await post(client, stream_url(server_app), {})).status_code == 200
    heartbeat = stored(server_app, run).heartbeat_at
    assert heartbeat is not None and heartbeat > run.heartbeat_at  # type: ignore[operator]


async def test_a_stop_requested_through_the_api_reaches_the_writer(
    server_app: ServerApp, client: httpx.AsyncClient, gql: PostGraphQL, run: RunRow
) -> None:
    from wandbkit.server.ids import encode_id

    stop = "mutation($id: ID!) { stopRun(input: {id: $id}) { success } }"
    assert (await gql(stop, {"id": encode_id("Run", run.pk)})).status_code == 200
    response = await post(
        client,
        stream_url(server_app),
        {"files": {"wandb-history.jsonl": {"offset": 0, "content": history_lines(0, 1)}}},
    )
    assert response.json()["stopped"] is True
    await post(client, stream_url(server_app), {"complete": True, "exitcode": 255})
    assert stored(server_app, run).state == "killed"  # the stop is not overwritten


async def test_silent_streamed_runs_crash_and_others_do_not(
    server_app: ServerApp, client: httpx.AsyncClient, gql: PostGraphQL, run: RunRow
) -> None:
    await gql(UPSERT, {"name": "never-streamed", "project": "p"})
    await post(client, stream_url(server_app), {})
    start = server_app.store.now()
    store = server_app.store
    store.clock = lambda: start + timedelta(seconds=30)
    assert store.file_streams.crash_silent_runs(60) == []
    store.clock = lambda: start + timedelta(seconds=90)
    assert store.file_streams.crash_silent_runs(60) == ["streamed"]
    assert stored(server_app, run).state == "crashed"
    other = store.runs.find(server_app.seed.entity, "p", "never-streamed")
    assert other is not None and other.state == "running"


async def test_gzip_bodies_are_accepted(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow
) -> None:
    body = json.dumps(
        {"files": {"wandb-history.jsonl": {"offset": 0, "content": history_lines(0, 3)}}}
    )
    response = await client.post(
        stream_url(server_app),
        content=gzip.compress(body.encode()),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert stored(server_app, run).history_line_count == 3


async def test_requests_without_a_valid_key_are_refused(
    server_app: ServerApp, anonymous_client: httpx.AsyncClient, run: RunRow
) -> None:
    assert (await post(anonymous_client, stream_url(server_app), {})).status_code == 401
    bad = basic_auth_header("0" * 40)
    assert (
        await post(anonymous_client, stream_url(server_app), {}, headers=bad)
    ).status_code == 401
    assert stored(server_app, run).heartbeat_at == run.heartbeat_at


async def test_runs_of_others_are_not_found_or_not_writable(
    server_app: ServerApp, run: RunRow
) -> None:
    store = server_app.store
    stranger = store.accounts.create_user("stranger")
    key, _ = store.accounts.create_api_key(stranger.pk)
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as client:
        response = await post(client, stream_url(server_app), {"complete": True, "exitcode": 0})
    # The seed user's project is public by default (readable), but not the stranger's to write.
    assert response.status_code in (403, 404)
    assert stored(server_app, run).state == "running"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"files": []}', "'files'"),
        (b'{"files": {"wandb-history.jsonl": {"offset": -1, "content": []}}}', "offset"),
        (b'{"files": {"wandb-history.jsonl": {"offset": "0", "content": []}}}', "offset"),
        (b'{"files": {"wandb-history.jsonl": {"offset": 0, "content": "x"}}}', "content"),
        (b'{"files": {"wandb-history.jsonl": {"offset": 0, "content": ["{"]}}}', "not JSON"),
        (b'{"files": {"wandb-history.jsonl": {"offset": 0, "content": ["[1]"]}}}', "object"),
        (b'{"files": {"wandb-summary.json": {"offset": 0, "content": ["3"]}}}', "object"),
        (b'{"complete": "yes"}', "complete"),
        (b'{"exitcode": "0"}', "exitcode"),
        (b'{"uploaded": "config.yaml"}', "uploaded"),
        (
            b'{"files": {"wandb-history.jsonl": {"offset": 0, "content": ["{\\"_step\\": -5}"]}}}',
            "_step",
        ),
    ],
)
async def test_bad_bodies_are_400_naming_the_part(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow, body: bytes, message: str
) -> None:
    response = await client.post(stream_url(server_app), content=body)
    assert response.status_code == 400, response.text
    assert message in response.json()["errors"][0]["message"]


async def test_an_unknown_run_is_404(server_app: ServerApp, client: httpx.AsyncClient) -> None:
    response = await post(client, stream_url(server_app, "nope"), {})
    assert response.status_code == 404
    assert "upsertBucket" in response.json()["errors"][0]["message"]


def test_a_running_server_crashes_a_silent_streamed_run() -> None:
    import time

    import httpx as sync_httpx

    from wandbkit.server.testing import running_server

    with running_server(run_silence_limit=0.3) as server:
        headers = basic_auth_header(server.api_key)
        with sync_httpx.Client(base_url=server.base_url, headers=headers) as client:
            answer = client.post(
                "/graphql", json={"query": UPSERT, "variables": {"name": "gone", "project": "p"}}
            )
            assert answer.status_code == 200, answer.text
            url = f"/files/{server.seed.entity}/p/gone/file_stream"
            assert client.post(url, json={}).status_code == 200
            deadline = time.monotonic() + 10
            state = "running"
            while state == "running" and time.monotonic() < deadline:
                time.sleep(0.05)
                run = server.store.runs.find(server.seed.entity, "p", "gone")
                assert run is not None
                state = run.state
    assert state == "crashed"


def test_the_run_watcher_checks_nothing_without_a_limit() -> None:
    from wandbkit.server import Store
    from wandbkit.server.run_watch import RunWatcher

    with Store() as store:
        assert RunWatcher(store, None).check() == []
        with pytest.raises(ValueError, match="silence_limit"):
            RunWatcher(store, 0)


async def test_nan_infinities_and_big_integers_are_stored_as_sent(
    server_app: ServerApp, client: httpx.AsyncClient, run: RunRow
) -> None:
    lines = [
        '{"_step":0,"x":NaN,"_runtime":0,"_timestamp":1}',
        '{"_step":1,"y":Infinity,"big":' + str(2**70) + "}",
    ]
    body = {"files": {"wandb-history.jsonl": {"offset": 0, "content": lines}}}
    assert (await post(client, stream_url(server_app), body)).status_code == 200
    stored_rows = [json.loads(r) for r in server_app.store.history.rows(run.pk)]
    assert math.isnan(stored_rows[0]["x"]) and stored_rows[1]["y"] == math.inf
    assert stored_rows[1]["big"] == 2**70


def test_the_cli_run_timeout_defaults_to_the_servers_limit() -> None:
    from wandbkit.cli import build_parser
    from wandbkit.cli.server import DEFAULT_RUN_TIMEOUT
    from wandbkit.server.run_watch import DEFAULT_SILENCE_LIMIT

    assert DEFAULT_RUN_TIMEOUT == DEFAULT_SILENCE_LIMIT
    assert build_parser().parse_args(["server", "--run-timeout", "2.5"]).run_timeout == 2.5
    import click

    with pytest.raises(click.UsageError, match="0<x"):  # the Click command line's usage error
        build_parser().parse_args(["server", "--run-timeout", "0"])
