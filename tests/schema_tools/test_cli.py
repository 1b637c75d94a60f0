"""``wandbkit schema pull|check|diff``: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from wandbkit.cli import main
from wandbkit.pytest_plugin import WandbServer
from wandbkit.schema_tools.cli import default_queries_dir

SCHEMA = "type Query { project(name: String!): Project }\ntype Project { id: ID! name: String! }\n"


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.graphql"
    path.write_text(SCHEMA)
    return path


def test_schema_alone_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 2
    assert "pull" in capsys.readouterr().err


def test_check_exits_0_when_every_document_is_valid(
    schema_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "q.graphql").write_text('query Q { project(name: "p") { id } }\n')
    assert main(["schema", "check", "--schema", str(schema_file), str(tmp_path / "q.graphql")]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1 file valid" in captured.err


def test_check_exits_1_and_prints_path_line_column_for_each_error(
    schema_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text('query Q {\n  project(name: "p") {\n    stars\n  }\n}\n')
    assert main(["schema", "check", "--schema", str(schema_file), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"{bad}:3:5: Cannot query field 'stars' on type 'Project'.\n"
    assert "1 error in 1 file" in captured.err


def test_check_defaults_to_our_schema_and_queries_in_a_checkout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert default_queries_dir() is not None
    assert main(["schema", "check"]) == 0
    assert "valid against" in capsys.readouterr().err


def test_check_needs_paths_outside_a_checkout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("wandbkit.schema_tools.cli.default_queries_dir", lambda: None)
    assert main(["schema", "check"]) == 2
    assert "give the .graphql files" in capsys.readouterr().err


def test_check_exits_2_when_the_schema_cannot_be_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "check", "--schema", str(tmp_path / "nope.graphql"), "."]) == 2
    assert "cannot read the schema" in capsys.readouterr().err


def test_check_against_a_live_server(
    wandb_server: WandbServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "viewer.graphql"
    doc.write_text("query V { viewer { username nickname } }\n")
    argv = ["schema", "check", "--base-url", wandb_server.base_url]
    assert main([*argv, "--api-key", wandb_server.api_key, str(doc)]) == 1
    assert f"{doc}:1:29: Cannot query field 'nickname' on type 'User'." in capsys.readouterr().out


def test_pull_writes_the_sdl_to_out(
    wandb_server: WandbServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pulled.graphql"
    argv = ["schema", "pull", "--base-url", wandb_server.base_url]
    assert main([*argv, "--api-key", wandb_server.api_key, "--out", str(out)]) == 0
    assert "type Query {" in out.read_text()
    assert f"wrote {out}" in capsys.readouterr().err


def test_pull_exits_1_when_the_server_refuses_the_key(
    wandb_server: WandbServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["schema", "pull", "--base-url", wandb_server.base_url, "--api-key", "f" * 40]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "cannot pull the schema" in err
    assert "f" * 40 not in err


@pytest.mark.parametrize(
    ("new", "fail_on", "status"),
    [
        (SCHEMA, "breaking", 0),
        (SCHEMA.replace(" name: String!", ""), "none", 0),
        (SCHEMA.replace(" name: String!", ""), "breaking", 1),
        (SCHEMA.replace("name: String! }", "name: String! url: String }"), "breaking", 0),
        (SCHEMA + "enum E { A }\n", "dangerous", 0),
        (
            SCHEMA.replace("project(name: String!)", "project(name: String!, x: Int)"),
            "dangerous",
            1,
        ),
    ],
    ids=["same", "removed-but-none", "removed", "added", "new-enum", "optional-arg-dangerous"],
)
def test_diff_exit_status_follows_fail_on(
    schema_file: Path, tmp_path: Path, new: str, fail_on: str, status: int
) -> None:
    new_file = tmp_path / "new.graphql"
    new_file.write_text(new)
    assert main(["schema", "diff", str(schema_file), str(new_file), "--fail-on", fail_on]) == status


def test_diff_prints_the_changes_and_a_summary(
    schema_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_file = tmp_path / "new.graphql"
    new_file.write_text(SCHEMA.replace(" name: String!", ""))
    assert main(["schema", "diff", str(schema_file), str(new_file)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "BREAKING  FIELD_REMOVED                    Project.name was removed.",
        "1 change: 1 breaking, 0 dangerous, 0 safe",
    ]


def test_diff_exits_2_when_a_schema_cannot_be_loaded(
    schema_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "diff", str(schema_file), str(tmp_path / "missing.graphql")]) == 2
    assert "cannot read the schema" in capsys.readouterr().err
