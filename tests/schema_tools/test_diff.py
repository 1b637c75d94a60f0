"""diff_schemas: one row per kind of change, with its level."""

from __future__ import annotations

from pathlib import Path

import pytest

from wandbkit.schema_tools import SchemaDiff, diff_schemas

BASE = """
type Query {
  project(name: String!, entity: String): Project
  projects(first: Int = 50): [Project!]!
}
type Project {
  id: ID!
  name: String!
  description: String
  state: State
  owner: Owner
}
type User { id: ID! }
type Team { id: ID! }
type Legacy { id: ID! }
union Owner = User | Team
enum State { RUNNING FINISHED }
input ProjectInput { name: String!, description: String, limit: Int! = 10 }
type Mutation { upsert(input: ProjectInput!): Project }
"""

# (what changed, old fragment, new fragment, level, kind)
CASES = [
    ("a type removed", "type Legacy { id: ID! }", "", "breaking", "TYPE_REMOVED"),
    ("a field removed", "  description: String\n", "", "breaking", "FIELD_REMOVED"),
    (
        "an output field made nullable",
        "  name: String!\n",
        "  name: String\n",
        "breaking",
        "FIELD_CHANGED_KIND",
    ),
    (
        "an output field made non-null",
        "  description: String\n",
        "  description: String!\n",
        "safe",
        "FIELD_TYPE_CHANGED_SAFELY",
    ),
    (
        "an argument made non-null",
        "entity: String)",
        "entity: String!)",
        "breaking",
        "ARG_CHANGED_KIND",
    ),
    (
        "an argument made nullable",
        "name: String!, entity",
        "name: String, entity",
        "safe",
        "ARG_TYPE_CHANGED_SAFELY",
    ),
    ("an argument removed", ", entity: String)", ")", "breaking", "ARG_REMOVED"),
    (
        "a required argument added",
        "entity: String)",
        "entity: String, org: String!)",
        "breaking",
        "REQUIRED_ARG_ADDED",
    ),
    (
        "an optional argument added",
        "entity: String)",
        "entity: String, org: String)",
        "dangerous",
        "OPTIONAL_ARG_ADDED",
    ),
    (
        "an input field lost the default that made it optional",
        "limit: Int! = 10",
        "limit: Int!",
        "breaking",
        "INPUT_FIELD_BECAME_REQUIRED",
    ),
    (
        "a default value changed",
        "first: Int = 50",
        "first: Int = 10",
        "dangerous",
        "ARG_DEFAULT_VALUE_CHANGE",
    ),
    ("an enum value removed", "RUNNING FINISHED", "RUNNING", "breaking", "VALUE_REMOVED_FROM_ENUM"),
    (
        "an enum value added",
        "RUNNING FINISHED",
        "RUNNING FINISHED CRASHED",
        "dangerous",
        "VALUE_ADDED_TO_ENUM",
    ),
    ("a union member removed", "User | Team", "User", "breaking", "TYPE_REMOVED_FROM_UNION"),
    (
        "an input field made non-null",
        "description: String,",
        "description: String!,",
        "breaking",
        "FIELD_CHANGED_KIND",
    ),
    (
        "an input field made nullable",
        "ProjectInput { name: String!,",
        "ProjectInput { name: String,",
        "safe",
        "INPUT_FIELD_TYPE_CHANGED_SAFELY",
    ),
    (
        "a required input field added",
        "limit: Int! = 10 }",
        "limit: Int! = 10, org: String! }",
        "breaking",
        "REQUIRED_INPUT_FIELD_ADDED",
    ),
    (
        "an optional input field added",
        "limit: Int! = 10 }",
        "limit: Int! = 10, org: String }",
        "dangerous",
        "OPTIONAL_INPUT_FIELD_ADDED",
    ),
    ("a field added", "  owner: Owner\n", "  owner: Owner\n  url: String\n", "safe", "FIELD_ADDED"),
    (
        "a type added",
        "type Team { id: ID! }",
        "type Team { id: ID! }\ntype Org { id: ID! }",
        "safe",
        "TYPE_ADDED",
    ),
    (
        "a field deprecated",
        "  description: String\n",
        '  description: String @deprecated(reason: "use notes")\n',
        "safe",
        "FIELD_DEPRECATED",
    ),
    (
        "a field changed its type",
        "  state: State\n",
        "  state: String\n",
        "breaking",
        "FIELD_CHANGED_KIND",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "level", "kind"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_kind_of_change_gets_its_level(old: str, new: str, level: str, kind: str) -> None:
    assert old in BASE
    diff = diff_schemas(BASE, BASE.replace(old, new, 1))
    assert [(c.level, c.kind) for c in diff.changes] == [(level, kind)]
    if level == "breaking":
        assert diff.breaking and diff.fails("breaking")
    else:
        assert not diff.breaking and not diff.fails("breaking")


def test_an_argument_that_loses_its_default_becomes_required() -> None:
    old = "type Query { runs(first: Int! = 50): Int }"
    new = "type Query { runs(first: Int!): Int }"
    diff = diff_schemas(old, new)
    assert [(c.level, c.kind) for c in diff.changes] == [
        ("breaking", "ARG_BECAME_REQUIRED"),
        ("dangerous", "ARG_DEFAULT_VALUE_CHANGE"),
    ]


def test_identical_schemas_have_no_changes() -> None:
    diff = diff_schemas(BASE, BASE)
    assert diff == SchemaDiff((), (), ())
    assert diff.summary() == "0 changes: 0 breaking, 0 dangerous, 0 safe"


def test_fail_on_levels() -> None:
    dangerous_only = diff_schemas(BASE, BASE.replace("RUNNING FINISHED", "RUNNING FINISHED X"))
    assert not dangerous_only.fails("breaking")
    assert dangerous_only.fails("dangerous")
    assert not dangerous_only.fails("none")
    with pytest.raises(ValueError, match="fail_on"):
        dangerous_only.fails("sometimes")  # type: ignore[arg-type]


def test_the_report_lists_breaking_changes_first(tmp_path: Path) -> None:
    old = tmp_path / "old.graphql"
    new = tmp_path / "new.graphql"
    old.write_text(BASE)
    new.write_text(BASE.replace("  description: String\n", "").replace("RUNNING", "RUNNING NEW"))
    lines = diff_schemas(old, new).format().splitlines()
    assert lines[0].startswith("BREAKING  FIELD_REMOVED")
    assert lines[1].startswith("DANGEROUS VALUE_ADDED_TO_ENUM")
    assert lines[-1] == "2 changes: 1 breaking, 1 dangerous, 0 safe"
