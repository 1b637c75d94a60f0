"""The plugin's fixtures, used directly by our own suite (the plugin is loaded by entry point)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import wandbkit
from wandbkit.pytest_plugin import Seeded, WandbServer, is_replaying


def test_the_server_runs_on_loopback_with_a_seeded_account(wandb_server: WandbServer) -> None:
    assert wandb_server.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{wandb_server.base_url}/healthz").status_code == 200
    assert wandb_server.env() == {
        "WANDB_BASE_URL": wandb_server.base_url,
        "WANDB_API_KEY": wandb_server.api_key,
    }
    assert wandb_server.account.username == "demo"
    assert wandb_server.store.accounts.get_user("demo") is not None
    assert wandb_server.api_key not in repr(wandb_server)


def test_the_database_is_a_temporary_file(wandb_server: WandbServer) -> None:
    assert Path(wandb_server.store.path).is_file()


def test_wandb_api_is_bound_to_the_server(
    wandb_server: WandbServer, wandb_api: wandbkit.Api
) -> None:
    assert wandb_api.settings.base_url == wandb_server.base_url
    assert wandb_api.viewer.username == wandb_server.account.username


async def test_wandb_async_api_is_bound_to_the_server(
    wandb_server: WandbServer, wandb_async_api: wandbkit.AsyncApi
) -> None:
    me = await wandb_async_api.viewer
    assert me.username == wandb_server.account.username


def test_seeding_projects_by_name_path_or_mapping(
    wandb_server: WandbServer, wandb_api: wandbkit.Api
) -> None:
    seeded = wandb_server.seed(
        projects=[
            "mnist",
            "demo-team/shared",
            {"name": "described", "description": "a description", "access": "USER_READ"},
        ]
    )
    assert seeded == Seeded(projects=("demo/mnist", "demo-team/shared", "demo/described"))
    assert [p.name for p in wandb_api.projects("demo")] == ["mnist", "described"]
    assert wandb_api.project("described").description == "a description"
    assert [p.name for p in wandb_api.projects("demo-team")] == ["shared"]


def test_seeding_runs_with_config_summary_history_and_files(
    wandb_server: WandbServer, wandb_api: wandbkit.Api
) -> None:
    seeded = wandb_server.seed(
        runs=[
            {
                "project": "mnist",
                "id": "a1",
                "name": "baseline",
                "config": {"lr": 0.1},
                "history": [{"loss": 0.9}, {"loss": 0.4}],
                "tags": ["baseline"],
                "files": {"notes.txt": "hello"},
                "logs": ["epoch 1", {"line": "oops", "level": "error"}],
            },
            {"project": "mnist", "id": "b2", "state": "running", "summary": {"loss": 0.7}},
        ]
    )
    assert seeded.runs == ("demo/mnist/a1", "demo/mnist/b2")
    runs = {run.id: run for run in wandb_api.runs("demo/mnist")}
    assert runs["a1"].name == "baseline"
    assert runs["a1"].state == "finished"
    assert runs["a1"].config == {"lr": 0.1}
    assert runs["a1"].summary["loss"] == 0.4  # the last logged value, as wandb.log does
    assert runs["a1"].tags == ["baseline"]
    assert runs["b2"].state == "running"
    assert runs["b2"].summary["loss"] == 0.7
    lines = [(line.content, line.level) for line in runs["a1"].console_logs()]
    assert lines == [("epoch 1", ""), ("oops", "error")]
    store = wandb_server.store
    entity = store.entities.get("demo")
    assert entity is not None
    project = store.projects.get(entity.pk, "mnist")
    assert project is not None
    run = store.runs.get(project.pk, "a1")
    assert run is not None
    assert [f.name for f in wandb_server.store.run_files.list(run.pk)] == ["notes.txt"]


def test_seed_file_reads_yaml_and_json(wandb_server: WandbServer, tmp_path: Path) -> None:
    (tmp_path / "seed.yaml").write_text(
        "projects: [vision]\nruns:\n  - {project: vision, id: r1, summary: {acc: 0.5}}\n"
    )
    (tmp_path / "seed.json").write_text(json.dumps({"projects": ["text"]}))
    assert wandb_server.seed_file(tmp_path / "seed.yaml") == Seeded(
        projects=("demo/vision",), runs=("demo/vision/r1",)
    )
    assert wandb_server.seed_file(tmp_path / "seed.json").projects == ("demo/text",)


def test_seeding_artifacts_is_not_supported_yet(wandb_server: WandbServer) -> None:
    assert wandb_server.seed(artifacts=[]) == Seeded()
    with pytest.raises(NotImplementedError, match="artifacts are not supported"):
        wandb_server.seed(artifacts=[{"name": "model", "type": "model"}])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"projects": ["a/b/c"]}, r"projects\[0\]: expected 'project' or 'entity/project'"),
        ({"projects": [{"nam": "x"}]}, r"projects\[0\]: unknown keys \['nam'\]"),
        ({"projects": ["nobody/x"]}, r"projects\[0\]: unknown entity 'nobody'"),
        ({"runs": [{"id": "x"}]}, r"runs\[0\]: missing project"),
        ({"runs": [{"project": "p", "sumary": {}}]}, r"runs\[0\]: unknown keys \['sumary'\]"),
        ({"runs": [{"project": "p", "config": [1]}]}, r"runs\[0\]\.config: expected a mapping"),
        ({"runs": ["p"]}, r"runs\[0\]: expected a mapping"),
    ],
)
def test_malformed_seeds_name_the_item(
    wandb_server: WandbServer, spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        wandb_server.seed(**spec)


def test_a_seed_file_with_unknown_keys_is_refused(
    wandb_server: WandbServer, tmp_path: Path
) -> None:
    (tmp_path / "seed.yaml").write_text("projects: [a]\nteams: [b]\n")
    with pytest.raises(ValueError, match=r"unknown keys \['teams'\]"):
        wandb_server.seed_file(tmp_path / "seed.yaml")


@pytest.mark.wandb_seed(projects=["from-marker"])
def test_the_wandb_seed_marker_seeds_the_server(wandb_api: wandbkit.Api) -> None:
    assert [p.name for p in wandb_api.projects("demo")] == ["from-marker"]


def test_wandb_vcr_config_matches_graphql_and_scrubs_credentials(
    wandb_vcr_config: dict[str, Any],
) -> None:
    assert wandb_vcr_config["match_on"] == ["method", "path", "graphql"]
    assert "authorization" in wandb_vcr_config["filter_headers"]


def test_outside_cassettes_the_test_is_not_replaying(wandb_replaying: bool) -> None:
    assert wandb_replaying is False


class _Options:
    def __init__(self, options: dict[str, Any] | None) -> None:
        self.options = options

    def getoption(self, name: str) -> Any:
        if self.options is None:
            raise ValueError(f"no option named {name!r}")  # pytest-recording not installed
        return self.options[name]


class _Request:
    """Just what is_replaying reads from a pytest FixtureRequest."""

    def __init__(
        self,
        options: dict[str, Any] | None,
        markers: list[pytest.Mark],
        vcr_config: dict[str, Any] | None = None,
    ) -> None:
        self.config = _Options(options)
        self.node = self
        self._markers = markers
        self._vcr_config = vcr_config or {}

    def iter_markers(self, name: str) -> list[pytest.Mark]:
        return [m for m in self._markers if m.name == name]

    def getfixturevalue(self, name: str) -> Any:
        assert name == "vcr_config"
        return self._vcr_config


VCR = pytest.mark.vcr.mark
VCR_RECORDING = pytest.mark.vcr(record_mode="once").mark


@pytest.mark.parametrize(
    ("options", "markers", "vcr_config", "replaying"),
    [
        (None, [VCR], None, False),
        ({"--record-mode": None, "--disable-recording": False}, [], None, False),
        ({"--record-mode": None, "--disable-recording": False}, [VCR], None, True),
        ({"--record-mode": "none", "--disable-recording": False}, [VCR], None, True),
        ({"--record-mode": "once", "--disable-recording": False}, [VCR], None, False),
        ({"--record-mode": None, "--disable-recording": True}, [VCR], None, False),
        ({"--record-mode": None, "--disable-recording": False}, [VCR_RECORDING], None, False),
        (
            {"--record-mode": None, "--disable-recording": False},
            [VCR],
            {"record_mode": "new_episodes"},
            False,
        ),
    ],
    ids=[
        "no-pytest-recording",
        "not-marked-vcr",
        "default-mode-is-none",
        "record-mode-none",
        "record-mode-once",
        "recording-disabled",
        "marker-records",
        "vcr-config-records",
    ],
)
def test_replaying_means_a_vcr_test_in_record_mode_none(
    options: dict[str, Any] | None,
    markers: list[pytest.Mark],
    vcr_config: dict[str, Any] | None,
    replaying: bool,
) -> None:
    request = _Request(options, markers, vcr_config)
    assert is_replaying(request) is replaying  # type: ignore[arg-type]
