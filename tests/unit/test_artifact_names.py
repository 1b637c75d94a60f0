"""The artifact name parser (``wandbkit._lang.artifact_names``): every accepted form, every
malformed one, and the client's ``UsageError`` that names the expected form."""

from __future__ import annotations

import pytest

from wandbkit._lang.artifact_names import (
    ArtifactName,
    ArtifactNameError,
    alias_problem,
    is_version,
    parse_artifact_name,
    parse_collection_name,
)
from wandbkit.errors import UsageError
from wandbkit.paths import parse_artifact_path, parse_collection_path

GOOD: list[tuple[str, ArtifactName]] = [
    ("dataset", ArtifactName(None, None, "dataset")),
    ("dataset:v3", ArtifactName(None, None, "dataset", "v3")),
    ("mnist/dataset:latest", ArtifactName(None, "mnist", "dataset", "latest")),
    ("team/mnist/dataset:v0", ArtifactName("team", "mnist", "dataset", "v0")),
    ("team/mnist/model.v2-final_x:best", ArtifactName("team", "mnist", "model.v2-final_x", "best")),
    ("team/mnist/d:prod-2024.01", ArtifactName("team", "mnist", "d", "prod-2024.01")),
    (
        "wandb-registry-model/classifier:production",
        ArtifactName(None, "wandb-registry-model", "classifier", "production"),
    ),
    (
        "acme/wandb-registry-model/classifier:v1",
        ArtifactName("acme", "wandb-registry-model", "classifier", "v1"),
    ),
]

BAD: list[tuple[object, str]] = [
    ("", "got ''"),
    ("   ", "got '   '"),
    (None, "got NoneType"),
    (3, "got int"),
    ("a/b/c/d:v0", "got 'a/b/c/d:v0'"),
    ("/p/name:v0", "got '/p/name:v0'"),
    ("e//name:v0", "got 'e//name:v0'"),
    ("e/p/:v0", "got 'e/p/:v0'"),
    ("e/p/name:", "version or alias must be a non-empty string"),
    ("e/p/name:a:b", "may not contain '/', ':'"),
    ("e/p/name:a b", "may not contain '/', ':'"),
    ("e/p/name:" + "x" * 129, "at most 128 characters"),
    ("e/p/na me:v0", "artifact name 'na me' may only contain"),
    ("e/p q/name:v0", "project name 'p q' may only contain"),
    ("e!/p/name:v0", "entity name 'e!' may only contain"),
    ("e/../name:v0", "project name '..' may only contain"),
    ("wandb-registry-/coll:v0", "the registry name after 'wandb-registry-' is empty"),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_good_names_parse(text: str, expected: ArtifactName) -> None:
    parsed = parse_artifact_name(text)
    assert parsed == expected
    assert str(parsed) == text


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_names_name_the_expected_form(text: object, message: str) -> None:
    with pytest.raises(ArtifactNameError) as caught:
        parse_artifact_name(text)
    assert message in str(caught.value)
    assert "'[entity/]project/name[:version|:alias]'" in str(caught.value)
    assert str(caught.value).startswith("name must look like")


def test_registry_parts() -> None:
    parsed = parse_artifact_name("acme/wandb-registry-model/classifier:v7")
    assert parsed.is_registry and parsed.registry == "model"
    assert parsed.version_index == 7
    assert parsed.member == "classifier:v7"
    plain = parse_artifact_name("e/p/data:latest")
    assert not plain.is_registry and plain.registry is None and plain.version_index is None


def test_collection_names_have_no_version() -> None:
    assert parse_collection_name("e/p/data") == ArtifactName("e", "p", "data")
    with pytest.raises(ArtifactNameError, match="no ':version' part") as caught:
        parse_collection_name("e/p/data:v0", argument="target_path")
    assert str(caught.value).startswith("target_path must look like '[entity/]project/name'")


@pytest.mark.parametrize(
    ("alias", "version"), [("v0", True), ("v12", True), ("v", False), ("latest", False)]
)
def test_versions(alias: str, version: bool) -> None:
    assert is_version(alias) is version


@pytest.mark.parametrize(
    ("alias", "problem"),
    [
        ("best", None),
        ("", "alias must be a non-empty string"),
        ("a\tb", "may not contain"),
        ("a\x00", "may not contain"),
        ("a/b", "may not contain"),
    ],
)
def test_alias_problem(alias: str, problem: str | None) -> None:
    found = alias_problem(alias)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_the_client_raises_usage_errors() -> None:
    assert parse_artifact_path("e/p/d:v1") == ArtifactName("e", "p", "d", "v1")
    with pytest.raises(UsageError, match=r"^name must look like"):
        parse_artifact_path("e/p/d:a:b")
    with pytest.raises(UsageError, match=r"^target_path must look like"):
        parse_collection_path("e/p/d:v0", argument="target_path")
