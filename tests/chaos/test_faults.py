"""The fault-injection middleware: each kind of fault, matching, counting and seeding."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from wandbkit.server.faults import Fault, Faults, InjectedDisconnect
from wandbkit.server.testing import asgi_transport, basic_auth_header, make_seeded_app

BASE_URL = "http://wandbkit.test"
VIEWER = {"query": "query Viewer { viewer { username } }", "operationName": "Viewer"}
CREATE = {
    "query": "mutation Up($n: String!, $e: String!) { upsertModel(input: {name: $n, "
    "entityName: $e}) { project { name } inserted } }",
    "operationName": "Up",
}


@pytest.fixture
async def setup() -> AsyncIterator[tuple[httpx.AsyncClient, Faults, str]]:
    app, seed = make_seeded_app()
    async with httpx.AsyncClient(
        transport=asgi_transport(app), base_url=BASE_URL, headers=basic_auth_header(seed.api_key)
    ) as client:
        yield client, app.state.faults, seed.entity


async def test_no_rule_means_no_fault(setup: tuple[httpx.AsyncClient, Faults, str]) -> None:
    client, faults, _ = setup
    assert (await client.post("/graphql", json=VIEWER)).status_code == 200
    assert faults.injected == []


async def test_a_status_fault_answers_the_status_and_retry_after_for_its_operation_only(
    setup: tuple[httpx.AsyncClient, Faults, str],
) -> None:
    client, faults, _ = setup
    faults.add(Fault.status(429, retry_after=1.5), operation="Viewer", times=2)
    answers = [await client.post("/graphql", json=VIEWER) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["retry-after"] == "1.5"
    assert answers[0].json() == {"errors": [{"message": "injected fault: HTTP 429"}]}
    other = await client.post("/graphql", json={**VIEWER, "operationName": None})
    assert other.status_code == 200
    assert [(f.operation, f.fault.status_code) for f in faults.injected] == [("Viewer", 429)] * 2


async def test_after_apply_does_the_work_and_then_fails_the_answer(
    setup: tuple[httpx.AsyncClient, Faults, str],
) -> None:
    client, faults, entity = setup
    faults.add(Fault.status(502, after_apply=True), operation="Up", times=1)
    variables = {"n": "ambiguous", "e": entity}
    lost = await client.post("/graphql", json={**CREATE, "variables": variables})
    assert lost.status_code == 502
    again = await client.post("/graphql", json={**CREATE, "variables": variables})
    assert again.json()["data"]["upsertModel"] == {
        "project": {"name": "ambiguous"},
        "inserted": False,  # the first, "failed" request created it
    }


async def test_a_dropped_connection_is_a_transport_error_after_a_partial_body(
    setup: tuple[httpx.AsyncClient, Faults, str],
) -> None:
    client, faults, _ = setup
    faults.add(Fault.drop(), route="/graphql", times=1)
    with pytest.raises(httpx.RemoteProtocolError) as caught:
        await client.post("/graphql", json=VIEWER)
    assert isinstance(caught.value, InjectedDisconnect)
    assert (await client.post("/graphql", json=VIEWER)).status_code == 200


async def test_a_truncated_answer_is_half_the_json(
    setup: tuple[httpx.AsyncClient, Faults, str],
) -> None:
    client, faults, _ = setup
    whole = (await client.post("/graphql", json=VIEWER)).content
    faults.add(Fault.truncate(), times=1)
    cut = await client.post("/graphql", json=VIEWER)
    assert cut.status_code == 200 and cut.content == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        cut.json()


async def test_routes_methods_and_rates_select_requests_reproducibly() -> None:
    def drawn(seed: int) -> list[bool]:
        faults = Faults(seed=seed)
        faults.add(Fault.status(503), route="/files/*", method="GET", rate=0.3)
        return [faults.pick("GET", "/files/e/p/r/x", None) is not None for _ in range(200)]

    assert drawn(1) == drawn(1)
    assert drawn(1) != drawn(2)
    assert 30 < sum(drawn(1)) < 90
    faults = Faults()
    faults.add(Fault.status(503), route="/files/*", method="GET")
    assert faults.pick("PUT", "/files/e/p/r/x", None) is None
    assert faults.pick("GET", "/graphql", None) is None
    assert faults.pick("GET", "/files/e/p/r/x", None) == Fault.status(503)


async def test_latency_delays_the_answer_without_changing_it(
    setup: tuple[httpx.AsyncClient, Faults, str],
) -> None:
    client, faults, _ = setup
    faults.add(Fault.latency(0.01), times=1)
    assert (await client.post("/graphql", json=VIEWER)).status_code == 200
    assert faults.injected[0].fault.delay == 0.01


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Fault.status(200), "status_code must be an HTTP error status"),
        (lambda: Fault.latency(-1), "seconds must be >= 0"),
        (lambda: Faults().add(Fault.drop(), rate=1.5), "rate must be between 0 and 1"),
        (lambda: Faults().add(Fault.drop(), times=-1), "times must be >= 0"),
    ],
)
def test_bad_fault_arguments_are_refused_naming_the_argument(build, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        build()
