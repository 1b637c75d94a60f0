"""``wandbkit.server.sdk_env``: the environment the plugin gives the official SDK, and its
restoration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wandbkit.server.sdk_env import CLEARED_VARIABLES, official_sdk_pointed_at


def test_the_sdk_is_pointed_at_the_server_and_the_environment_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_BASE_URL", "https://api.wandb.ai")
    monkeypatch.setenv("WANDB_RUN_ID", "someone-elses")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.delenv("WANDB_DIR", raising=False)
    monkeypatch.setenv("NO_PROXY", "corp.example")
    with official_sdk_pointed_at("http://127.0.0.1:9", "k" * 40, tmp_path) as env:
        assert os.environ["WANDB_BASE_URL"] == "http://127.0.0.1:9"
        assert os.environ["WANDB_API_KEY"] == "k" * 40
        assert os.environ["WANDB_MODE"] == "online"
        assert Path(os.environ["WANDB_DIR"]).is_dir()
        assert Path(os.environ["WANDB_DIR"]).is_relative_to(tmp_path)
        assert os.environ["NO_PROXY"].startswith("corp.example,127.0.0.1")
        assert not any(name in os.environ for name in CLEARED_VARIABLES)
        assert env["WANDB_BASE_URL"] == "http://127.0.0.1:9"
    assert os.environ["WANDB_BASE_URL"] == "https://api.wandb.ai"
    assert os.environ["WANDB_RUN_ID"] == "someone-elses"
    assert os.environ["WANDB_MODE"] == "offline"
    assert "WANDB_DIR" not in os.environ
    assert os.environ["NO_PROXY"] == "corp.example"


def test_the_wandb_server_fixture_points_the_sdk_at_itself(wandb_server: object) -> None:
    from wandbkit.pytest_plugin import WandbServer

    assert isinstance(wandb_server, WandbServer)
    assert os.environ["WANDB_BASE_URL"] == wandb_server.base_url
    assert os.environ["WANDB_API_KEY"] == wandb_server.api_key
    assert os.environ["WANDB_MODE"] == "online"
