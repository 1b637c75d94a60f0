"""pull_schema: introspect the local server over HTTP; stable, sorted SDL."""

from __future__ import annotations

import json

import httpx
import pytest
from graphql import TypeDefinitionNode, build_schema, parse
from graphql.pyutils import natural_comparison_key

import wandbkit
from wandbkit._schema import schema_text
from wandbkit.pytest_plugin import WandbServer
from wandbkit.schema_tools import SchemaToolError, diff_schemas, pull_schema, stable_sdl


def test_pulling_the_local_server_gives_the_schema_it_serves(wandb_server: WandbServer) -> None:
    pulled = pull_schema(wandb_server.base_url, api_key=wandb_server.api_key)
    # Introspection loses nothing the contract depends on: no change at all.
    assert diff_schemas(schema_text(), pulled).changes == ()
    assert pulled == stable_sdl(build_schema(schema_text()))


def test_two_pulls_are_byte_identical_and_sorted(wandb_server: WandbServer) -> None:
    first = pull_schema(wandb_server.base_url, api_key=wandb_server.api_key)
    second = pull_schema(wandb_server.base_url, api_key=wandb_server.api_key)
    assert first == second
    definitions = parse(first).definitions
    names = [d.name.value for d in definitions if isinstance(d, TypeDefinitionNode)]
    assert names == sorted(names, key=natural_comparison_key)
    project = next(d for d in definitions if getattr(d, "name", None) and d.name.value == "Project")
    fields = [f.name.value for f in project.fields]  # type: ignore[attr-defined]
    assert fields == sorted(fields)
    assert first.endswith("}\n")


def test_the_key_comes_from_the_environment_like_every_client(
    wandb_server: WandbServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in wandb_server.env().items():
        monkeypatch.setenv(name, value)
    assert "type Query" in pull_schema()


def test_a_wrong_key_is_an_authentication_error(wandb_server: WandbServer) -> None:
    with pytest.raises(wandbkit.AuthenticationError):
        pull_schema(wandb_server.base_url, api_key="f" * 40, max_retries=0)


def test_a_server_that_refuses_introspection_is_a_schema_tool_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content)["operationName"] == "IntrospectionQuery"
        return httpx.Response(200, json={"errors": [{"message": "introspection is disabled"}]})

    with pytest.raises(SchemaToolError, match="refused the introspection query"):
        pull_schema("http://wandb.test", api_key="k" * 40, transport=httpx.MockTransport(refuse))


def test_an_answer_without_a_schema_is_a_schema_tool_error() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json={"data": {"x": 1}}))
    with pytest.raises(SchemaToolError, match="not an introspection result"):
        pull_schema("http://wandb.test", api_key="k" * 40, transport=transport)
