"""The path parser: every accepted form, and a clear error for everything else."""

from __future__ import annotations

import pytest

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
