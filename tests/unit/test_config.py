"""Settings resolution: explicit arguments > environment > netrc, and validation messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from wandbkit._core.config import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Settings,
    resolve_settings,
)
from wandbkit._core.errors import UsageError
from wandbkit._core.retry import RetryPolicy

KEY_ARG = "a" * 40
KEY_ENV = "e" * 40
KEY_NETRC = "n" * 40


@pytest.fixture
def no_netrc(tmp_path: Path) -> Path:
    """A netrc path that does not exist, so the developer's real ~/.netrc is never read."""
    return tmp_path / "absent.netrc"


def write_netrc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "netrc"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_defaults_apply_when_nothing_is_configured(no_netrc: Path) -> None:
    settings = resolve_settings(environ={}, netrc_path=no_netrc)

    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.api_key is None
    assert settings.api_key_source is None
    assert settings.entity is None
    assert settings.project is None
    assert settings.timeout == DEFAULT_TIMEOUT
    assert settings.max_retries == DEFAULT_MAX_RETRIES
    assert settings.retry.max_retries == DEFAULT_MAX_RETRIES
    assert settings.graphql_url == "https://api.wandb.ai/graphql"
    assert settings.host == "api.wandb.ai"


def test_explicit_argument_beats_environment_and_netrc(tmp_path: Path) -> None:
    netrc_path = write_netrc(tmp_path, f"machine api.wandb.ai login user password {KEY_NETRC}\n")

    settings = resolve_settings(
        api_key=KEY_ARG, environ={"WANDB_API_KEY": KEY_ENV}, netrc_path=netrc_path
    )

    assert settings.api_key == KEY_ARG
    assert settings.api_key_source == "argument"


def test_environment_beats_netrc(tmp_path: Path) -> None:
    netrc_path = write_netrc(tmp_path, f"machine api.wandb.ai login user password {KEY_NETRC}\n")

    settings = resolve_settings(environ={"WANDB_API_KEY": KEY_ENV}, netrc_path=netrc_path)

    assert settings.api_key == KEY_ENV
    assert settings.api_key_source == "environment"


def test_netrc_is_used_when_no_argument_or_environment_gives_a_key(tmp_path: Path) -> None:
    netrc_path = write_netrc(tmp_path, f"machine api.wandb.ai login user password {KEY_NETRC}\n")

    settings = resolve_settings(environ={}, netrc_path=netrc_path)

    assert settings.api_key == KEY_NETRC
    assert settings.api_key_source == "netrc"


def test_netrc_path_comes_from_the_NETRC_variable(tmp_path: Path) -> None:
    netrc_path = write_netrc(tmp_path, f"machine api.wandb.ai login user password {KEY_NETRC}\n")

    settings = resolve_settings(environ={"NETRC": str(netrc_path)})

    assert settings.api_key == KEY_NETRC


def test_netrc_machine_is_the_base_url_host(tmp_path: Path) -> None:
    netrc_path = write_netrc(
        tmp_path,
        f"machine api.wandb.ai login user password {KEY_NETRC}\n"
        f"machine wandb.example.com login user password {KEY_ENV}\n",
    )

    settings = resolve_settings(
        base_url="https://wandb.example.com", environ={}, netrc_path=netrc_path
    )

    assert settings.api_key == KEY_ENV


def test_netrc_lookup_tries_host_and_port_before_host(tmp_path: Path) -> None:
    netrc_path = write_netrc(
        tmp_path,
        f"machine localhost login user password {KEY_NETRC}\n"
        f"machine localhost:8080 login user password {KEY_ENV}\n",
    )

    with_port = resolve_settings(
        base_url="http://localhost:8080", environ={}, netrc_path=netrc_path
    )
    other_port = resolve_settings(
        base_url="http://localhost:9090", environ={}, netrc_path=netrc_path
    )

    assert with_port.api_key == KEY_ENV
    assert other_port.api_key == KEY_NETRC


def test_netrc_default_entry_is_never_sent_to_wandb(tmp_path: Path) -> None:
    netrc_path = write_netrc(tmp_path, f"default login user password {KEY_NETRC}\n")

    settings = resolve_settings(environ={}, netrc_path=netrc_path)

    assert settings.api_key is None


def test_missing_netrc_file_means_no_key(no_netrc: Path) -> None:
    assert resolve_settings(environ={}, netrc_path=no_netrc).api_key is None


def test_malformed_netrc_raises_usage_error_naming_the_file_but_not_its_content(
    tmp_path: Path,
) -> None:
    # The stray token after the entry is what stdlib netrc quotes in its own message.
    netrc_path = write_netrc(
        tmp_path, "machine api.wandb.ai login user password s3cr3tvalue\ns3cr3tvalue2 x\n"
    )

    with pytest.raises(UsageError) as info:
        resolve_settings(environ={}, netrc_path=netrc_path)

    assert str(netrc_path) in str(info.value)
    assert "line 2" in str(info.value)
    assert "s3cr3tvalue" not in str(info.value)


def test_environment_supplies_base_url_entity_project_and_timeout(no_netrc: Path) -> None:
    settings = resolve_settings(
        environ={
            "WANDB_BASE_URL": "http://localhost:8080/",
            "WANDB_ENTITY": "team",
            "WANDB_PROJECT": "proj",
            "WANDB_HTTP_TIMEOUT": "12.5",
        },
        netrc_path=no_netrc,
    )

    assert settings.base_url == "http://localhost:8080"
    assert settings.host == "localhost:8080"
    assert settings.graphql_url == "http://localhost:8080/graphql"
    assert settings.entity == "team"
    assert settings.project == "proj"
    assert settings.timeout == 12.5


def test_explicit_arguments_beat_environment_for_every_setting(no_netrc: Path) -> None:
    settings = resolve_settings(
        base_url="https://arg.example.com",
        entity="arg-entity",
        project="arg-project",
        timeout=3,
        max_retries=1,
        environ={
            "WANDB_BASE_URL": "https://env.example.com",
            "WANDB_ENTITY": "env-entity",
            "WANDB_PROJECT": "env-project",
            "WANDB_HTTP_TIMEOUT": "99",
        },
        netrc_path=no_netrc,
    )

    assert settings.base_url == "https://arg.example.com"
    assert settings.entity == "arg-entity"
    assert settings.project == "arg-project"
    assert settings.timeout == 3.0
    assert settings.max_retries == 1
    assert settings.retry.max_retries == 1


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_environment_values_count_as_unset(no_netrc: Path, value: str) -> None:
    settings = resolve_settings(
        environ={
            "WANDB_API_KEY": value,
            "WANDB_BASE_URL": value,
            "WANDB_ENTITY": value,
            "WANDB_PROJECT": value,
            "WANDB_HTTP_TIMEOUT": value,
        },
        netrc_path=no_netrc,
    )

    assert settings.api_key is None
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.entity is None
    assert settings.project is None
    assert settings.timeout == DEFAULT_TIMEOUT


def test_empty_environment_key_falls_through_to_netrc(tmp_path: Path) -> None:
    netrc_path = write_netrc(tmp_path, f"machine api.wandb.ai login user password {KEY_NETRC}\n")

    settings = resolve_settings(environ={"WANDB_API_KEY": ""}, netrc_path=netrc_path)

    assert settings.api_key == KEY_NETRC


@pytest.mark.parametrize(
    ("kwargs", "environ", "expected"),
    [
        ({"base_url": "ftp://x"}, {}, "base_url must be an http(s) URL like"),
        ({"base_url": "https://"}, {}, "base_url must be an http(s) URL"),
        ({"base_url": "api.wandb.ai"}, {}, "base_url must be an http(s) URL"),
        ({"base_url": "https://host:99999"}, {}, "base_url must be an http(s) URL"),
        ({"base_url": "https://u:p@host"}, {}, "base_url must not contain credentials"),
        ({}, {"WANDB_BASE_URL": "nope"}, "WANDB_BASE_URL must be an http(s) URL"),
        ({"timeout": 0}, {}, "timeout must be a positive number"),
        ({"timeout": -1.5}, {}, "timeout must be a positive number"),
        ({"timeout": float("nan")}, {}, "timeout must be a positive number"),
        ({}, {"WANDB_HTTP_TIMEOUT": "soon"}, "WANDB_HTTP_TIMEOUT must be a positive number"),
        ({}, {"WANDB_HTTP_TIMEOUT": "-3"}, "WANDB_HTTP_TIMEOUT must be a positive number"),
        ({"max_retries": -1}, {}, "max_retries must be an int >= 0"),
        ({"max_retries": 1.5}, {}, "max_retries must be an int >= 0"),
        ({"max_retries": True}, {}, "max_retries must be an int >= 0"),
        ({"api_key": ""}, {}, "api_key must be a non-empty string"),
        ({"entity": ""}, {}, "entity must be a non-empty string"),
        ({"project": ""}, {}, "project must be a non-empty string"),
    ],
)
def test_each_invalid_value_raises_usage_error_naming_it(
    no_netrc: Path, kwargs: dict[str, object], environ: dict[str, str], expected: str
) -> None:
    with pytest.raises(UsageError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        resolve_settings(**kwargs, environ=environ, netrc_path=no_netrc)  # type: ignore[arg-type]


def test_base_url_error_quotes_the_bad_value() -> None:
    with pytest.raises(UsageError) as info:
        resolve_settings(base_url="ftp://x", environ={})

    assert str(info.value) == (
        "base_url must be an http(s) URL like 'https://api.wandb.ai', got 'ftp://x'"
    )


@pytest.mark.parametrize(
    ("kwargs", "environ", "name"),
    [
        ({"api_key": "has space" + "x" * 30}, {}, "api_key"),
        ({}, {"WANDB_API_KEY": "has\ttab" + "x" * 30}, "WANDB_API_KEY"),
    ],
)
def test_key_with_whitespace_is_rejected_without_echoing_it(
    no_netrc: Path, kwargs: dict[str, str], environ: dict[str, str], name: str
) -> None:
    with pytest.raises(UsageError) as info:
        resolve_settings(**kwargs, environ=environ, netrc_path=no_netrc)  # type: ignore[arg-type]

    assert name in str(info.value)
    assert "xxxxxxxx" not in str(info.value)


def test_usage_error_is_also_a_value_error() -> None:
    with pytest.raises(ValueError):
        resolve_settings(timeout=-1, environ={})


def test_repr_never_contains_the_key(no_netrc: Path) -> None:
    settings = resolve_settings(api_key=KEY_ARG, environ={}, netrc_path=no_netrc)

    assert KEY_ARG not in repr(settings)
    assert KEY_ARG not in str(settings)
    assert "api_key='***'" in repr(settings)


def test_repr_shows_a_missing_key_as_none(no_netrc: Path) -> None:
    assert "api_key=None" in repr(resolve_settings(environ={}, netrc_path=no_netrc))


def test_settings_are_immutable() -> None:
    settings = Settings(api_key=KEY_ARG)

    with pytest.raises(AttributeError):
        settings.api_key = "other"  # type: ignore[misc]


def test_settings_max_retries_overrides_the_policy() -> None:
    settings = Settings(max_retries=2, retry=RetryPolicy(max_retries=9, initial_delay=1.0))

    assert settings.retry.max_retries == 2
    assert settings.retry.initial_delay == 1.0


def test_direct_settings_construction_validates_too() -> None:
    with pytest.raises(UsageError, match="base_url"):
        Settings(base_url="localhost:8080")


@pytest.mark.parametrize(
    ("base_url", "host"),
    [
        ("https://api.wandb.ai", "api.wandb.ai"),
        ("http://localhost:8080", "localhost:8080"),
        ("https://Example.COM/prefix/", "example.com"),
        ("http://[::1]:8080", "[::1]:8080"),
    ],
)
def test_host_is_host_and_explicit_port(base_url: str, host: str) -> None:
    assert Settings(base_url=base_url).host == host


def test_base_url_keeps_a_path_prefix_without_trailing_slash() -> None:
    settings = Settings(base_url="https://proxy.example.com/wandb/")

    assert settings.graphql_url == "https://proxy.example.com/wandb/graphql"
