"""Manifest paths and URLs, decided before any I/O (wandbkit._core.artifact_paths)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from wandbkit._async.artifacts.transfer import safe_destination as async_safe_destination
from wandbkit._core.artifact_paths import (
    check_layout,
    file_url_path,
    reference_scheme,
    safe_destination,
    source_kind,
)
from wandbkit._core.errors import UsageError
from wandbkit._core.transfer_jobs import progress_enabled
from wandbkit._sync.artifacts.transfer import safe_destination as sync_safe_destination

ROOT = Path("/data/root")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.txt", ROOT / "a.txt"),
        ("images/cat.png", ROOT / "images" / "cat.png"),
        ("deep/er/still/x.bin", ROOT / "deep/er/still/x.bin"),
        ("..hidden", ROOT / "..hidden"),
        ("a..b/c", ROOT / "a..b" / "c"),
        (".config", ROOT / ".config"),
        ("with space/ü.txt", ROOT / "with space" / "ü.txt"),
        ("table:v1.json", ROOT / "table:v1.json"),
    ],
)
def test_safe_paths_land_under_the_root(path: str, expected: Path) -> None:
    assert safe_destination(ROOT, path) == expected


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "empty"),
        ("..", "'..' segment"),
        ("../escape", "'..' segment"),
        ("a/../../escape", "'..' segment"),
        ("a/..", "'..' segment"),
        ("./a", "'.' segment"),
        ("a/./b", "'.' segment"),
        ("/etc/passwd", "absolute"),
        ("//server/share", "absolute"),
        ("a//b", "empty segment"),
        ("a/", "empty segment"),
        ("a\\b", "backslash"),
        ("..\\..\\escape", "backslash"),
        ("C:\\Windows", "backslash"),
        ("C:evil", "drive"),
        ("a\x00b", "NUL"),
    ],
)
def test_hostile_paths_are_refused_naming_the_path(path: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        safe_destination(ROOT, path)
    assert repr(path) in str(caught.value)
    assert reason in str(caught.value)


def test_a_non_string_path_is_refused() -> None:
    with pytest.raises(UsageError, match="not a string"):
        safe_destination(ROOT, 7)  # type: ignore[arg-type]


def test_both_flavours_export_the_same_rule() -> None:
    assert async_safe_destination is safe_destination
    assert sync_safe_destination is safe_destination


def test_a_relative_root_stays_relative() -> None:
    assert safe_destination(Path("out"), "a/b") == Path("out/a/b")
    assert safe_destination(Path("."), "a/b") == Path("a/b")


def test_layout_refuses_a_file_that_is_also_a_directory() -> None:
    check_layout(["a/b", "a/c", "ab", "b"])
    with pytest.raises(UsageError, match="'a' and 'a/b/c' conflict"):
        check_layout(["a/b/c", "a"])


@pytest.mark.parametrize(
    ("url", "is_reference", "kind"),
    [
        ("https://storage.example/bucket/obj?sig=1", False, "http"),
        ("http://127.0.0.1:8080/signed/files/t", False, "http"),
        ("HTTPS://Example.com/x", True, "http"),
        ("file:///data/x.bin", True, "file"),
        ("s3://bucket/key", True, None),
        ("gs://bucket/key", True, None),
        ("wandb-artifact://abc/path", True, None),
        ("relative/path", True, None),
    ],
)
def test_source_kind(url: str, is_reference: bool, kind: str | None) -> None:
    assert source_kind(url, is_reference=is_reference) == kind


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "s3://bucket/key", "/signed/files/t", "https:///no-host"]
)
def test_stored_files_come_only_from_absolute_http_urls(url: str) -> None:
    with pytest.raises(UsageError, match="not an absolute http"):
        source_kind(url, is_reference=False)


def test_file_urls_name_local_paths_only() -> None:
    assert file_url_path("file:///data/a%20b.txt") == Path("/data/a b.txt")
    assert file_url_path("file://localhost/data/x") == Path("/data/x")
    with pytest.raises(UsageError, match="'server'"):
        file_url_path("file://server/share/x")


def test_reference_scheme() -> None:
    assert reference_scheme("s3://b/k") == "s3"
    assert reference_scheme("no-scheme") == ""


class _Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("progress", "env", "tty", "shown"),
    [
        (None, {}, True, True),
        (None, {}, False, False),
        (None, {"WANDBKIT_PROGRESS": "0"}, True, False),
        (None, {"WANDBKIT_PROGRESS": " false "}, True, False),
        (None, {"WANDBKIT_PROGRESS": "off"}, True, False),
        (None, {"WANDBKIT_PROGRESS": "1"}, True, True),
        (None, {"WANDBKIT_PROGRESS": ""}, True, True),
        (False, {}, True, False),
        (True, {"WANDBKIT_PROGRESS": "0"}, False, True),
    ],
)
def test_progress_bar_only_on_a_terminal_unless_told(
    progress: bool | None, env: dict[str, str], tty: bool, shown: bool
) -> None:
    assert progress_enabled(progress, environ=env, stream=_Terminal(tty)) is shown
