"""The registry search's field tables and the client's rewriting, as the official client
rewrites: aliases to canonical names per level and mode, the registry-name prefix (not under
``$regex``), duplicates refused, unknown fields named with the allowed ones."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit._lang.filters import FilterSyntaxError
from wandbkit._lang.registry_fields import (
    ADVANCED,
    BASIC,
    EITHER,
    SERVER_LEVELS,
    add_registry_prefix,
    rewrite_filter,
)


@pytest.mark.parametrize(
    ("operand", "expected"),
    [
        ("model", "wandb-registry-model"),
        ("wandb-registry-model", "wandb-registry-model"),
        ({"$in": ["model", "x"]}, {"$in": ["wandb-registry-model", "wandb-registry-x"]}),
        ({"$regex": "model"}, {"$regex": "model"}),
        ({"$ne": "a", "$regex": "^b"}, {"$ne": "wandb-registry-a", "$regex": "^b"}),
        (3, 3),
    ],
)
def test_registry_names_are_prefixed_except_regexes(operand: Any, expected: Any) -> None:
    assert add_registry_prefix(operand) == expected


@pytest.mark.parametrize(
    ("mode", "level", "given", "sent"),
    [
        ("basic", "registries", {"name": "m"}, {"name": "wandb-registry-m"}),
        (
            "basic",
            "registries",
            {"$or": [{"name": "a"}, {"id": 1}]},
            {"$or": [{"name": "wandb-registry-a"}, {"id": 1}]},
        ),
        ("basic", "collections", {"id": 1}, {"artifact_collection_id": 1}),
        ("basic", "collections", {"collection_id": 1}, {"artifact_collection_id": 1}),
        ("basic", "collections", {"$not": {"tag": "x"}}, {"$not": {"tag": "x"}}),
        ("basic", "versions", {"metadata.acc": {"$gt": 1}}, {"metadata.acc": {"$gt": 1}}),
        ("advanced", "registries", {"id": 4}, {"project_id": 4}),
        ("advanced", "collections", {"collection_name": "c"}, {"name": "c"}),
        ("advanced", "collections", {"artifact_collection_name": "c"}, {"name": "c"}),
        ("advanced", "collections", {"tags": "t"}, {"tag": "t"}),
        ("advanced", "versions", {"id": 2}, {"artifact_id": 2}),
        ("advanced", "versions", {"version_index": 2}, {"version": 2}),
        ("advanced", "versions", {"tags": "t", "aliases": "a"}, {"tag": "t", "alias": "a"}),
        ("advanced", "versions", {"artifact_metadata.x.y": 1}, {"metadata.x.y": 1}),
        ("advanced", "versions", {"created_at": {"$gt": 0}}, {"artifact_created_at": {"$gt": 0}}),
        ("advanced", "versions", {"linked_at": {"$lt": 9}}, {"acm_created_at": {"$lt": 9}}),
        ("advanced", "versions", {"artifact_size": {"$gte": 10}}, {"artifact_size": {"$gte": 10}}),
    ],
)
def test_aliases_are_rewritten_per_level_and_mode(
    mode: str, level: str, given: dict[str, Any], sent: dict[str, Any]
) -> None:
    levels = BASIC if mode == "basic" else ADVANCED
    assert rewrite_filter(given, levels[level]) == sent  # type: ignore[index]


def test_no_filter_is_none_and_the_callers_dict_is_not_changed() -> None:
    given = {"name": "m"}
    assert rewrite_filter(None, BASIC["registries"]) is None
    assert rewrite_filter({}, BASIC["registries"]) is None
    rewrite_filter(given, BASIC["registries"])
    assert given == {"name": "m"}


@pytest.mark.parametrize(
    ("mode", "level", "given", "message"),
    [
        ("basic", "registries", {"tag": "x"}, "unknown field 'tag'; expected one of id, name"),
        ("basic", "collections", {"alias": "x"}, "unknown field 'alias'; expected one of artifact"),
        ("basic", "versions", {"size": 1}, "unknown field 'size'; expected one of id, version"),
        ("advanced", "registries", {"description": "x"}, "unknown field 'description'"),
        ("advanced", "versions", {"updated_at": "x"}, "unknown field 'updated_at'"),
        ("basic", "collections", {"id": 1, "collection_id": 2}, "named twice"),
        ("advanced", "versions", {"tag": "a", "tags": "b"}, "named twice"),
        ("basic", "versions", {"metadata": 1}, "needs a key"),
        ("basic", "registries", {"created_at": "yesterday"}, "expected an ISO-8601 time"),
        ("basic", "registries", {"name": {"$regex": "("}}, "invalid regular expression"),
    ],
)
def test_bad_filters_name_the_field_and_the_allowed_ones(
    mode: str, level: str, given: dict[str, Any], message: str
) -> None:
    levels = BASIC if mode == "basic" else ADVANCED
    with pytest.raises(FilterSyntaxError, match=message):
        rewrite_filter(given, levels[level])  # type: ignore[index]


def test_the_server_accepts_the_canonical_names_of_both_modes_and_no_alias() -> None:
    assert set(SERVER_LEVELS["versions"].kinds) == {
        "id", "version", "tag", "alias", "created_at", "updated_at",
        "artifact_id", "artifact_created_at", "artifact_size", "acm_created_at",
    }  # fmt: skip
    assert not SERVER_LEVELS["collections"].aliases
    assert "linked_at" in EITHER["versions"].table.kinds


def test_the_extra_operators_are_taken_by_the_registry_search_only() -> None:
    """``$contains``, ``$size`` and ``$all`` are W&B's registry operators (the official client
    validates them, and prefixes a registry-name ``$contains`` like any other operand); the
    runs language does not take them."""
    from wandbkit._lang.filters import parse
    from wandbkit._lang.run_fields import RUN_FIELDS

    assert rewrite_filter({"name": {"$contains": "mod"}}, BASIC["registries"]) == {
        "name": {"$contains": "wandb-registry-mod"}
    }
    assert rewrite_filter({"tags": {"$all": ["a"]}}, ADVANCED["versions"]) == {
        "tag": {"$all": ["a"]}
    }
    assert rewrite_filter({"tag": {"$size": 2}}, BASIC["collections"]) == {"tag": {"$size": 2}}
    with pytest.raises(FilterSyntaxError, match=r"\$size needs a list field"):
        rewrite_filter({"name": {"$size": 2}}, BASIC["collections"])
    with pytest.raises(FilterSyntaxError, match="unknown operator '\\$contains'"):
        parse({"display_name": {"$contains": "x"}}, RUN_FIELDS)
