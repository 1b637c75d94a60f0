"""check_documents: every error with its file, line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import build_schema, get_introspection_query, graphql_sync

from wandbkit.schema_tools import DocumentError, SchemaToolError, check_documents, load_schema

SCHEMA = """
type Query {
  project(name: String!): Project
}

type Project {
  id: ID!
  name: String!
  description: String
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_valid_document_has_no_errors(tmp_path: Path) -> None:
    doc = write(tmp_path / "ok.graphql", 'query Q { project(name: "p") { id name } }\n')
    assert check_documents(SCHEMA, [doc]) == []


def test_an_unknown_field_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    doc = write(
        tmp_path / "bad.graphql",
        'query Q {\n  project(name: "p") {\n    id\n    stars\n  }\n}\n',
    )
    assert check_documents(SCHEMA, [doc]) == [
        DocumentError(str(doc), 4, 5, "Cannot query field 'stars' on type 'Project'.")
    ]


def test_every_error_is_reported_sorted_by_file_and_position(tmp_path: Path) -> None:
    write(tmp_path / "q" / "b.graphql", "query B { project { id } }\n")
    write(tmp_path / "q" / "a.graphql", 'query A { project(name: "p") { nope } }\n')
    errors = check_documents(SCHEMA, [tmp_path / "q"])
    assert [(Path(e.path).name, e.line, e.column) for e in errors] == [
        ("a.graphql", 1, 32),
        ("b.graphql", 1, 11),
    ]
    assert "argument 'name'" in errors[1].message


def test_fragments_are_shared_across_the_files_of_a_directory(tmp_path: Path) -> None:
    write(tmp_path / "q" / "fragments.graphql", "fragment P on Project { id name }\n")
    write(tmp_path / "q" / "get.graphql", 'query Get { project(name: "p") { ...P } }\n')
    assert check_documents(SCHEMA, [tmp_path / "q"]) == []


def test_isolated_files_do_not_see_each_others_fragments(tmp_path: Path) -> None:
    write(tmp_path / "q" / "fragments.graphql", "fragment P on Project { id name }\n")
    get = write(tmp_path / "q" / "get.graphql", 'query Get { project(name: "p") { ...P } }\n')
    errors = check_documents(SCHEMA, [tmp_path / "q"], shared_fragments=False)
    assert DocumentError(str(get), 1, 37, "Unknown fragment 'P'.") in errors


def test_a_fragment_defined_twice_names_both_places(tmp_path: Path) -> None:
    write(
        tmp_path / "q" / "a.graphql",
        'fragment P on Project { id }\nquery A { project(name: "a") { ...P } }\n',
    )
    write(tmp_path / "q" / "b.graphql", "fragment P on Project { name }\n")
    (error,) = check_documents(SCHEMA, [tmp_path / "q"])
    assert (Path(error.path).name, error.line, error.column) == ("a.graphql", 1, 10)
    assert error.message.endswith(f"(also at {tmp_path / 'q' / 'b.graphql'}:1:10)")


def test_a_syntax_error_points_at_the_unexpected_token(tmp_path: Path) -> None:
    doc = write(tmp_path / "broken.graphql", "query Q {\n  project(name: ) { id }\n}\n")
    (error,) = check_documents(SCHEMA, [doc])
    assert (error.path, error.line, error.column) == (str(doc), 2, 17)
    assert error.message.startswith("Syntax Error")


def test_missing_paths_and_empty_directories_are_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    errors = check_documents(SCHEMA, [tmp_path / "nope.graphql", tmp_path / "empty"])
    assert sorted(str(e) for e in errors) == [
        f"{tmp_path / 'empty'}: no .graphql or .gql files",
        f"{tmp_path / 'nope.graphql'}: no such file or directory",
    ]


def test_an_error_prints_as_path_line_column_message() -> None:
    assert str(DocumentError("q.graphql", 3, 7, "Boom.")) == "q.graphql:3:7: Boom."
    assert str(DocumentError("q", None, None, "Missing.")) == "q: Missing."


def test_a_schema_loads_from_sdl_text_an_sdl_file_or_introspection_json(tmp_path: Path) -> None:
    sdl_file = write(tmp_path / "schema.graphql", SCHEMA)
    result = graphql_sync(build_schema(SCHEMA), get_introspection_query())
    json_file = write(tmp_path / "schema.json", json.dumps({"data": result.data}))
    for source in (SCHEMA, sdl_file, str(sdl_file), json_file):
        assert set(load_schema(source).type_map) >= {"Query", "Project"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("type Query { a: Nope }", "Unknown type 'Nope'"),
        ("type Query {", "Syntax Error"),
    ],
)
def test_an_invalid_schema_is_a_schema_tool_error(text: str, message: str) -> None:
    with pytest.raises(SchemaToolError, match=message):
        check_documents(text, [])


def test_an_unreadable_schema_file_is_a_schema_tool_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaToolError, match="cannot read the schema"):
        load_schema(tmp_path / "missing.graphql")
