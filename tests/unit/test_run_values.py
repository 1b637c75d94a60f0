"""Run values: config unwrapped into (config, rawconfig) and joined back, and run states."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit._values.runs import RunState, as_dict, join_config, split_config

STORED = {
    "lr": {"value": 0.01, "desc": None},
    "layers": {"value": [64, 32], "desc": None},
    "_wandb": {"value": {"cli_version": "0.31.0"}, "desc": None},
    "wandb_version": {"value": 1, "desc": None},
}


def test_a_stored_config_splits_into_user_values_and_every_value() -> None:
    config, rawconfig = split_config(STORED)

    assert config == {"lr": 0.01, "layers": [64, 32]}
    assert rawconfig == {**config, "_wandb": {"cli_version": "0.31.0"}, "wandb_version": 1}


def test_joining_the_halves_gives_back_the_stored_form_with_the_internal_keys() -> None:
    config, rawconfig = split_config(STORED)

    assert join_config(config, rawconfig) == STORED


def test_joining_takes_user_keys_from_config_so_an_edit_is_kept() -> None:
    config, rawconfig = split_config(STORED)
    config["lr"] = 0.1
    del config["layers"]

    assert join_config(config, rawconfig) == {
        "lr": {"value": 0.1, "desc": None},
        "_wandb": STORED["_wandb"],
        "wandb_version": STORED["wandb_version"],
    }


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [(None, {}), ("", {}), ('{"a": 1}', {"a": 1}), ({"a": 1}, {"a": 1}), ("[1]", {}), (3, {})],
)
def test_a_json_object_from_the_server_becomes_a_dict_and_anything_else_empty(
    raw: Any, parsed: dict[str, Any]
) -> None:
    assert as_dict(raw) == parsed


def test_an_unknown_state_from_a_newer_server_is_a_member_not_an_error() -> None:
    state = RunState("hibernating")

    assert state == "hibernating" and state.name == "HIBERNATING" and not state.is_terminal
    assert RunState("crashed").is_terminal and not RunState("running").is_terminal
