"""Regressions found by fuzzing the automations and launch surfaces: each input once crashed
the server (a logged bug and an error without a code) and is now a client error."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from wandbkit._lang.artifact_digest import artifact_digest
from wandbkit.server.automations.conditions import SpecError
from wandbkit.server.automations.spec import check_webhook_url
from wandbkit.server.automations.webhook import WebhookPolicy, WebhookSender
from wandbkit.server.ids import (
    MAX_ROW_ID,
    InvalidCursorError,
    InvalidIdError,
    decode_int_id,
    decode_row_cursor,
    encode_cursor,
    encode_id,
)
from wandbkit.server.store import NewArtifact, NewEntry, TriggerSpec
from wandbkit.server.store.automations import FAILED, PENDING
from wandbkit.server.testing import add_run

from ..conftest import PostGraphQL, ServerApp
from .support import clean_answer

SUPERSCRIPT_TWO = "\N{SUPERSCRIPT TWO}"


@pytest.mark.parametrize(
    "key",
    [SUPERSCRIPT_TWO, "9" * 5000, str(MAX_ROW_ID + 1), str(2**64), "\N{ARABIC-INDIC DIGIT ONE}"],
)
def test_an_id_whose_key_is_no_row_id_is_invalid(key: str) -> None:
    with pytest.raises(InvalidIdError):
        decode_int_id(encode_id("Project", key), "Project")


def test_the_largest_row_id_is_still_an_id() -> None:
    assert decode_int_id(encode_id("Project", MAX_ROW_ID), "Project") == MAX_ROW_ID


def test_a_cursor_past_the_largest_row_id_is_invalid() -> None:
    with pytest.raises(InvalidCursorError):
        decode_row_cursor(encode_cursor(MAX_ROW_ID + 1))


TRIGGER = """mutation($input: CreateFilterTriggerInput!) {
    createFilterTrigger(input: $input) { trigger { id } } }"""


def trigger_input(server_app: ServerApp, **changes: object) -> dict[str, object]:
    add_run(server_app.store, f"{server_app.seed.entity}/p", "r1")
    project = server_app.store.projects.find(server_app.seed.entity, "p")
    assert project is not None
    return {
        "name": "t",
        "triggeringEventType": "RUN_STATE",
        "scopeType": "PROJECT",
        "scopeID": encode_id("Project", project.pk),
        "eventFilter": json.dumps({"run_filter": "{}", "run_state_filter": {"states": ["FAILED"]}}),
        "triggeredActionType": "NO_OP",
        "triggeredActionConfig": {"noOpActionInput": {"noOp": True}},
        "enabled": True,
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scopeID": encode_id("Project", 2**63)}, "not a valid id"),
        ({"scopeID": encode_id("Project", SUPERSCRIPT_TWO)}, "not a valid id"),
        (
            {"eventFilter": json.dumps({"run_filter": "[" * 5000 + "]" * 5000})},
            "eventFilter.run_filter nests more than 64 levels deep",
        ),
        (
            {"eventFilter": '{"run_filter": "{}", "x":' + "[" * 500 + "]" * 500 + "}"},
            "eventFilter nests more than 64 levels deep",
        ),
    ],
)
async def test_a_hostile_trigger_input_is_a_client_error(
    server_app: ServerApp,
    gql: PostGraphQL,
    caplog: pytest.LogCaptureFixture,
    changes: dict[str, object],
    message: str,
) -> None:
    variables = {"input": trigger_input(server_app, **changes)}
    answer = await clean_answer(lambda: gql(TRIGGER, variables), caplog)
    (error,) = answer.json()["errors"]
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_page_after_a_cursor_past_the_largest_row_id_is_a_client_error(
    server_app: ServerApp, gql: PostGraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    query = """query($e: String!, $after: String) {
        entity(name: $e) { triggers(after: $after) { edges { node { id } } } } }"""
    variables = {"e": server_app.seed.entity, "after": encode_cursor(2**64)}
    answer = await clean_answer(lambda: gql(query, variables), caplog)
    assert "errors" in answer.json()


@pytest.mark.parametrize(
    "params",
    [{"after": SUPERSCRIPT_TWO}, {"limit": "9" * 5000}, {"after": str(2**64)}, {"limit": "-1"}],
)
async def test_the_firings_route_refuses_a_count_that_is_no_row_id_with_400(
    server_app: ServerApp,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    params: dict[str, str],
) -> None:
    query = {"entity": server_app.seed.entity, **params}
    answer = await clean_answer(
        lambda: client.get("/_wandbkit/automations/firings", params=query), caplog
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [{"message": "after and limit must be non-negative integers"}]
    }


@pytest.mark.parametrize("url", ["http://\x00x/", "http://a/\x7f", "http://a b/", "http://a/\n"])
def test_a_webhook_url_with_a_control_character_or_a_space_is_refused(url: str) -> None:
    # httpx refuses to send to these, outside the errors a delivery records.
    with pytest.raises(SpecError, match="a space or a control character"):
        check_webhook_url(url)


def test_a_stored_webhook_url_httpx_cannot_send_to_fails_its_firing(
    server_app: ServerApp, caplog: pytest.LogCaptureFixture
) -> None:
    """A URL saved before the check (an older database) fails the firing, as an unreachable
    receiver does, instead of a logged bug and a firing left ``PENDING``."""
    store = server_app.store
    entity = store.entities.get(server_app.seed.entity)
    user = store.accounts.get_user(server_app.seed.username)
    assert entity is not None and user is not None
    add_run(store, f"{entity.name}/p", "r1")
    project = store.projects.find(entity.name, "p")
    assert project is not None
    hook = store.automations.create_webhook(entity.pk, "hook", "http://\x00x/")
    trigger = store.automations.create(
        entity.pk,
        TriggerSpec(
            name="t",
            description=None,
            enabled=True,
            scope_type="PROJECT",
            scope_pk=project.pk,
            event_type="RUN_STATE",
            event_filter="{}",
            action_type="GENERIC_WEBHOOK",
            action_config=json.dumps({"request_payload": None}),
            integration_pk=hook.pk,
        ),
        creator_pk=user.pk,
    )
    firing = store.automations.record_firing(
        trigger, event="{}", payload="{}", url=hook.url_endpoint, status=PENDING
    )
    sender = WebhookSender(store, WebhookPolicy(attempts=1), sleep=lambda _: None)
    with caplog.at_level(logging.ERROR, logger="wandbkit.server"):
        sender.submit(firing.pk, hook.url_endpoint, b"{}")
        assert sender.wait_idle(10)
    sender.close()
    assert caplog.records == []
    done = store.automations.firing(firing.pk)
    assert done is not None and done.status == FAILED
    assert done.error is not None and done.error.startswith("InvalidURL")


@pytest.mark.parametrize(
    "selection",
    [
        "artifactCollections(filters: $f) { edges { node { name } } }",
        """artifactType(name: "dataset") { artifactCollection(name: "d") {
            artifacts(filters: $f) { edges { node { versionIndex } } } } }""",
    ],
)
async def test_a_deeply_nested_collection_or_version_filter_is_a_client_error(
    server_app: ServerApp, gql: PostGraphQL, caplog: pytest.LogCaptureFixture, selection: str
) -> None:
    # 100 levels of $and once overflowed SQLite's parser stack (a logged bug).
    store = server_app.store
    add_run(store, f"{server_app.seed.entity}/p", "r1")
    project = store.projects.find(server_app.seed.entity, "p")
    assert project is not None
    blob = store.artifact_manifests.put_blob(b"x")
    entries = [NewEntry("x.txt", blob.md5, 1)]
    digest = artifact_digest((e.path, e.digest) for e in entries)
    store.artifacts.bulk_create(project.pk, "dataset", "d", [NewArtifact(digest, entries)])
    query = f"""query($e: String!, $f: JSONString) {{
        project(name: "p", entityName: $e) {{ {selection} }} }}"""
    deep = '{"$and":[' * 100 + "{}" + "]}" * 100
    answer = await clean_answer(
        lambda: gql(query, {"e": server_app.seed.entity, "f": deep}), caplog
    )
    (error,) = answer.json()["errors"]
    # The shared filter grammar (_lang.filters) bounds the nesting, as for run filters.
    assert "filter is nested deeper than 32 levels" in error["message"]
