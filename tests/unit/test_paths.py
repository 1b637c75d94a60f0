"""The path parser: every accepted form, and a clear error for everything else."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

import wandbkit
from wandbkit.errors import UsageError
from wandbkit.paths import (
    WandbPath,
    check_name,
    parse_path,
    parse_project_path,
    parse_run_path,
    parse_sweep_path,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("proj", WandbPath("project", None, "proj")),
        ("team/proj", WandbPath("project", "team", "proj")),
        ("/team/proj/", WandbPath("project", "team", "proj")),
        ("team/proj/abc123", WandbPath("run", "team", "proj", "abc123")),
        ("team/proj:abc123", WandbPath("run", "team", "proj", "abc123")),
        ("team/proj/runs/abc123", WandbPath("run", "team", "proj", "abc123")),
        ("team/proj/sweeps/sw1", WandbPath("sweep", "team", "proj", "sw1")),
        ("team/proj/reports/My-Report--Vmlldzo1", WandbPath("report", "team", "proj", "Vmlldzo1")),
        ("https://wandb.ai/team/proj", WandbPath("project", "team", "proj")),
        ("https://wandb.ai/team/proj/workspace?nw=x", WandbPath("project", "team", "proj")),
        (
            "https://wandb.ai/team/proj/runs/abc123?x=1#y",
            WandbPath("run", "team", "proj", "abc123"),
        ),
        ("my.team/my-proj_2", WandbPath("project", "my.team", "my-proj_2")),
    ],
)
def test_parse_path_accepts_every_documented_form(path: str, expected: WandbPath) -> None:
    assert parse_path(path) == expected


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("", "must look like"),
        ("a//b", "must look like"),
        ("a/b/c/d", "must look like"),
        ("a/b/runs", "names no run id"),
        ("a b/c", "may only contain"),
        ("team/pr oj", "may only contain"),
        ("a/b/c/d/e", "must look like"),
    ],
)
def test_parse_path_rejects_malformed_paths_with_the_expected_form(
    path: str, fragment: str
) -> None:
    with pytest.raises(UsageError, match=fragment) as info:
        parse_path(path)
    assert "path" in str(info.value)


def test_parse_path_rejects_non_strings_naming_the_argument() -> None:
    with pytest.raises(UsageError, match=r"^name must be a string"):
        parse_path(42, argument="name")  # type: ignore[arg-type]


def test_a_usage_error_is_also_a_value_error_for_drop_in_code() -> None:
    with pytest.raises(ValueError):
        parse_path("a/b/c/d")


def test_parse_project_path_refuses_a_run_path() -> None:
    with pytest.raises(UsageError, match="'project' or 'entity/project'"):
        parse_project_path("team/proj/abc123")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("abc123", WandbPath("run", None, None, "abc123")),
        ("proj/abc123", WandbPath("run", None, "proj", "abc123")),
        ("team/proj/abc123", WandbPath("run", "team", "proj", "abc123")),
        ("team/proj/runs/abc123", WandbPath("run", "team", "proj", "abc123")),
        ("team/proj:abc123", WandbPath("run", "team", "proj", "abc123")),
    ],
)
def test_parse_run_path_reads_short_forms_as_run_ids(path: str, expected: WandbPath) -> None:
    assert parse_run_path(path) == expected


def test_parse_run_path_refuses_a_sweep_path() -> None:
    with pytest.raises(UsageError, match="entity/project/run_id"):
        parse_run_path("team/proj/sweeps/sw1")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("sw1", WandbPath("sweep", None, None, "sw1")),
        ("proj/sw1", WandbPath("sweep", None, "proj", "sw1")),
        ("team/proj/sw1", WandbPath("sweep", "team", "proj", "sw1")),
        ("team/proj/sweeps/sw1", WandbPath("sweep", "team", "proj", "sw1")),
        ("https://wandb.ai/team/proj/sweeps/sw1?w=1", WandbPath("sweep", "team", "proj", "sw1")),
    ],
)
def test_parse_sweep_path_reads_every_form_as_a_sweep(path: str, expected: WandbPath) -> None:
    assert parse_sweep_path(path) == expected


@pytest.mark.parametrize("path", ["team/proj/runs/r1", "team/proj/reports/Title--x1", "a/b/c/d/e"])
def test_parse_sweep_path_refuses_what_is_not_a_sweep(path: str) -> None:
    with pytest.raises(UsageError, match="entity/project/sweep_id"):
        parse_sweep_path(path)


@pytest.mark.parametrize("value", ["", "a/b", "a b", None, 3])
def test_check_name_names_the_argument(value: object) -> None:
    with pytest.raises(UsageError, match=r"^entity must be a name"):
        check_name(value, "entity")


# -- the server's name rule, checked before the network ------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 129, "entity must be a name of at most 128 characters, got one of 129"),
        (".", "entity must be a name other than '.' and '..', got '.'"),
        ("..", "entity must be a name other than '.' and '..', got '..'"),
    ],
)
def test_check_name_refuses_what_the_server_refuses(value: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_name(value, "entity")
    assert str(caught.value) == message


@pytest.mark.parametrize("value", ["x" * 128, "a.b", "...", "-_.", "A9"])
def test_check_name_accepts_every_name_the_server_accepts(value: str) -> None:
    assert check_name(value, "entity") == value


@pytest.mark.parametrize(
    ("parse", "path", "message"),
    [
        (parse_path, "team/" + "p" * 129, "path: project in 'team/pp"),
        (parse_path, "team/" + "p" * 129, "has 129 characters, more than 128"),
        (parse_path, "team/../abc123", "path: project '..' in 'team/../abc123' cannot be"),
        (parse_run_path, "./abc123", "path: project '.' in './abc123' cannot be '.' or '..'"),
        (parse_sweep_path, "team/proj/..", "path: sweep id '..' in 'team/proj/..' cannot be"),
        (parse_run_path, "r" * 129, "path: run id in 'rrr"),
    ],
)
def test_paths_with_names_the_server_refuses_fail_before_the_network(
    parse: Callable[[str], WandbPath], path: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        parse(path)
    assert message in str(caught.value)


def test_an_api_call_with_a_too_long_project_name_sends_no_request() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"request sent: {request.url}")

    api = wandbkit.Api(
        api_key="k" * 40, base_url="http://wandb.invalid", transport=httpx.MockTransport(refuse)
    )
    with pytest.raises(UsageError, match="at most 128 characters"):
        api.project("p" * 129, entity="team")
    with pytest.raises(UsageError, match=r"cannot be '\.' or '\.\.'"):
        api.run("team/../abc123")
