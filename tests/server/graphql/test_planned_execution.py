"""The planned executor answers exactly as graphql-core's own ``ExecutionContext`` does.

Every query operation of ``queries/*.graphql`` and of the official client's documents
(``../shared/reference/official-ops``, skipped when absent) runs against the demo seed with
several sets of plausible variables (the viewer's projects, a team's, a registry's, names
that do not exist, bad cursors and filters, a viewer who may not read), once with
:class:`PlannedExecutionContext` and once with plain graphql-core: the JSON answers (data
and errors, key order included) must be identical; so must those of documents written for
the executor's corners (interfaces, unions, aliases, directives, errors, refusals). Every
irregularity the plan hands back to graphql-core is made to happen in
``test_planned_irregular.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

import pytest
from graphql import (
    DocumentNode,
    ExecutionContext,
    GraphQLSchema,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    TypeNode,
    execute_sync,
    get_introspection_query,
    parse,
    validate,
)

from wandbkit.server import Store
from wandbkit.server.http.planned import PlannedExecutionContext
from wandbkit.server.http.plans import root_plan
from wandbkit.server.ids import encode_cursor, encode_id
from wandbkit.server.resolvers import RequestContext, common
from wandbkit.server.schema import build_executable_schema
from wandbkit.server.seed import seed_demo
from wandbkit.server.store import UserRow

from ..conftest import OFFICIAL_OPS

ROOT = Path(__file__).resolve().parents[3]
QUERIES = sorted((ROOT / "queries").glob("*.graphql"))
SERVER_SOURCES = ROOT / "src" / "wandbkit" / "server"
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


class Recording(PlannedExecutionContext):
    """The planned executor, remembering how each execution was answered."""

    runs: ClassVar[list[Recording]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        Recording.runs.append(self)


def answer(
    schema: GraphQLSchema,
    document: DocumentNode,
    context: Any,
    cls: type[ExecutionContext],
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> str:
    """The formatted result as JSON text (key order kept, so it is compared too)."""
    result = execute_sync(
        schema,
        document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        execution_context_class=cls,
    )
    return json.dumps(result.formatted, default=repr)


# -- the demo seed, and the documents ------------------------------------------------------


@dataclass
class Demo:
    store: Store
    schema: GraphQLSchema
    users: dict[str, UserRow]
    scenarios: list[tuple[str, str, dict[str, Any]]]  # (label, viewer, variables)
    #: How the planned executions went: answered by plan / abandoned, over the module.
    tally: dict[str, int] = field(default_factory=lambda: {"planned": 0, "abandoned": 0})

    def reset_snapshots(self) -> None:
        """Each runs listing writes a cursor snapshot; start both executions from the same
        state, so their cursors name the same snapshot."""
        conn = self.store.db.connection
        with self.store.db.lock:
            conn.execute("DELETE FROM run_cursor_snapshots WHERE pk > ?", (self.snapshot_seq,))
            conn.execute(
                "UPDATE sqlite_sequence SET seq = ? WHERE name = 'run_cursor_snapshots'",
                (self.snapshot_seq,),
            )
            conn.commit()

    snapshot_seq: int = 0

    def compare(self, document: DocumentNode, operation: OperationDefinitionNode) -> int:
        """Run ``operation`` with every scenario both ways; the answers must be identical.
        Returns how many answers the plan gave with data and without errors."""
        name = operation.name.value if operation.name else None
        good = 0
        for label, viewer, scenario in self.scenarios:
            variables = variables_for(operation, scenario)
            answers = []
            for cls in (ExecutionContext, Recording):
                self.reset_snapshots()
                context = RequestContext(
                    store=self.store, viewer=self.users[viewer], base_url="http://wandbkit.test"
                )
                Recording.runs.clear()
                answers.append(answer(self.schema, document, context, cls, variables, name))
            plain, planned = answers
            assert planned == plain, f"{name} ({label}) {variables}"
            for run in Recording.runs:
                if run.planned is not None:
                    self.tally["planned" if run.planned else "abandoned"] += 1
            if Recording.runs and Recording.runs[0].planned:
                result = json.loads(planned)
                good += "errors" not in result and any(
                    v is not None for v in (result.get("data") or {}).values()
                )
        return good


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    store = Store()
    seed = seed_demo(store, now=NOW)
    store.clock = lambda: NOW  # signed URLs and timestamps stay the same across executions
    db = store.db
    users = {name: store.accounts.get_user(name) for name in (seed.username, "reader")}
    run = db.one(
        "SELECT r.name FROM runs r JOIN projects p ON p.id = r.project_pk"
        " WHERE p.name = 'cifar10-augment' ORDER BY r.pk LIMIT 1"
    )
    sweep = db.one("SELECT name FROM sweeps ORDER BY pk LIMIT 1")
    queue = db.one("SELECT name FROM run_queues ORDER BY pk LIMIT 1")
    assert run and sweep and queue and all(users.values())
    artifact = encode_id("Artifact", 1)
    personal = {
        "entity": "demo",
        "entityName": "demo",
        "project": "cifar10-augment",
        "projectName": "cifar10-augment",
        "name": run["name"],
        "run": run["name"],
        "runName": run["name"],
        "runId": run["name"],
        "type": "dataset",
        "artifactTypeName": "dataset",
        "collection": "images",
        "alias": "latest",
        "id": artifact,
        "artifactID": artifact,
        "perPage": 2,
        "first": 2,
        "includeAliases": True,
        "samples": 5,
        "liveKeys": ["_step", "loss"],
        "specs": ['{"keys": ["_step", "loss"], "samples": 5}'],
        "order": "-createdAt",
    }
    scenarios: list[tuple[str, str, dict[str, Any]]] = [
        ("personal project", "demo", personal),
        (
            "artifact by name",
            "demo",
            {**personal, "name": "images:latest", "includeAliases": False, "perPage": 50},
        ),
        (
            "team project",
            "demo",
            {
                "entity": "demo-team",
                "entityName": "demo-team",
                "project": "diffusion-sweeps",
                "projectName": "diffusion-sweeps",
                "name": "diffusion-sweeps",
                "sweep": sweep["name"],
                "queue": queue["name"],
                "runQueue": queue["name"],
                "runQueueName": queue["name"],
                "collection": "job-train-lora",
                "type": "job",
                "perPage": 3,
            },
        ),
        (
            "registry",
            "demo",
            {
                "entity": "demo-org",
                "organization": "demo-org",
                "org": "demo-org",
                "project": "wandb-registry-model",
                "collection": "classifier",
                "type": "model",
                "name": "wandb-registry-model/classifier:latest",
                "registryFilter": '{"name": "wandb-registry-model"}',
                "perPage": 10,
            },
        ),
        (
            "missing names",
            "demo",
            {"entity": "nobody", "project": "nothing", "name": "nothing", "id": "bogus"},
        ),
        (
            "bad cursor and filters",
            "demo",
            {**personal, "cursor": "not-a-cursor", "filters": '{"$nope": 1}', "perPage": -1},
        ),
        ("a viewer without access", "reader", {**personal, "entity": "demo-team"}),
    ]
    demo = Demo(store, build_executable_schema(), users, scenarios)  # type: ignore[arg-type]
    sequence = db.one("SELECT seq FROM sqlite_sequence WHERE name = 'run_cursor_snapshots'")
    demo.snapshot_seq = int(sequence["seq"]) if sequence else 0
    yield demo
    store.close()


_PLACEHOLDERS = {
    "String": "x",
    "ID": "x",
    "Int": 1,
    "Int64": 1,
    "Float": 1.0,
    "Boolean": True,
    "JSONString": "{}",
    "JSON": {},
}


def _placeholder(type_node: TypeNode) -> Any:
    if isinstance(type_node, NonNullTypeNode):
        return _placeholder(type_node.type)
    if isinstance(type_node, ListTypeNode):
        return []
    assert isinstance(type_node, NamedTypeNode)
    return _PLACEHOLDERS.get(type_node.name.value)


def variables_for(operation: OperationDefinitionNode, scenario: dict[str, Any]) -> dict[str, Any]:
    """The scenario's value for each variable the operation declares, a placeholder for
    required ones it has none for; optional ones are left to their defaults."""
    variables: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in scenario:
            variables[name] = scenario[name]
        elif isinstance(definition.type, NonNullTypeNode) and definition.default_value is None:
            variables[name] = _placeholder(definition.type)
    return variables


def _queries(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.operation == OperationType.QUERY
    ]


def query_operations(schema: GraphQLSchema, path: Path) -> tuple[DocumentNode, list[Any]]:
    """An official document and its query operations (none if it does not validate against
    this schema: a field out of this server's scope)."""
    document = parse(path.read_text())
    return document, [] if validate(schema, document) else _queries(document)


def wandbkit_documents() -> DocumentNode:
    """Every file of ``queries/`` in one document: they share fragments, as codegen reads
    them."""
    return parse("\n".join(path.read_text() for path in QUERIES))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_wandbkit_documents_answer_as_graphql_core(demo: Demo, path: Path) -> None:
    document = wandbkit_documents()
    assert not validate(demo.schema, document)
    names = {o.name.value for o in _queries(parse(path.read_text())) if o.name}
    for operation in _queries(document):
        if operation.name and operation.name.value in names:
            demo.compare(document, operation)


def _official_documents() -> list[Path]:
    return sorted(OFFICIAL_OPS.glob("*.graphql")) if OFFICIAL_OPS.is_dir() else []


def test_official_client_documents_answer_as_graphql_core(demo: Demo) -> None:
    paths = _official_documents()
    if not paths:
        pytest.skip(f"reference material not present at {OFFICIAL_OPS}")
    good = compared = 0
    for path in paths:
        document, operations = query_operations(demo.schema, path)
        for operation in operations:
            good += demo.compare(document, operation)
            compared += 1
    # Most documents validate against this schema, and most answer with data by plan.
    assert compared >= 40
    assert good >= compared // 2, (good, compared)


def test_the_plan_answers_most_and_hands_irregular_ones_to_graphql_core(demo: Demo) -> None:
    # After the document tests of this module (pytest runs them first, in file order).
    if demo.tally["planned"] == 0:
        document = wandbkit_documents()
        for operation in _queries(document):
            demo.compare(document, operation)
    assert demo.tally["planned"] > 5 * demo.tally["abandoned"] > 0, demo.tally


# -- documents written for the executor's corners ------------------------------------------

CORNERS = """
query Corners($entity: String!, $project: String!, $with: Boolean!, $without: Boolean!) {
  __typename
  project(entityName: $entity, name: $project) {
    __typename
    id
    two: artifactType(name: "model") { name }
    one: artifactType(name: "dataset") { name __typename }
    none: artifactType(name: "nothing") { name }
    artifactCollection(name: "classifier-releases") {
      __typename
      name
      ... on ArtifactPortfolio { id name }
      ... on ArtifactSequence { id latest: artifacts(first: 1) { totalCount } }
      ...Versions @include(if: $with)
    }
    seq: artifactCollection(name: "classifier") {
      ... on ArtifactSequence { __typename name }
      ...Versions @skip(if: $without)
    }
    someRuns: runs(first: 2) @skip(if: $without) { edges { cursor node { name } } }
    pages: runs(first: 2) @include(if: $with) { pageInfo { endCursor hasNextPage } }
  }
  missing: project(entityName: "nobody", name: "nothing") { id name }
}

fragment Versions on ArtifactCollection {
  artifacts(first: 3) {
    totalCount
    edges {
      version
      node {
        id
        versionIndex
        state
        aliases { alias artifactCollection { __typename name } }
        createdBy { __typename ... on Run { name } ... on User { username } }
      }
    }
  }
}
"""

ERRORS = """
query Errors($entity: String!, $project: String!) {
  project(entityName: $entity, name: $project) {
    name
    runs(first: 2, after: "garbage") { edges { node { name } } }
    bad: runs(filters: "{\\"$nope\\": 1}") { edges { node { name } } }
    negative: artifactCollections(first: -1) { edges { node { name } } }
    fine: runs(first: 1) { edges { node { name } } }
  }
}
"""

REFUSED = 'query Users { users(usernames: ["demo"]) { edges { node { username } } } }'


@pytest.mark.parametrize(
    ("document", "variables", "viewer"),
    [
        (CORNERS, {"with": True, "without": False}, "demo"),
        (CORNERS, {"with": False, "without": True}, "demo"),
        (CORNERS, {"with": True, "without": True}, "reader"),
        (ERRORS, {}, "demo"),
        (REFUSED, {}, "reader"),
        (get_introspection_query(descriptions=True), {}, "demo"),
        (REFUSED, {}, "demo"),
    ],
)
def test_corner_documents_answer_as_graphql_core(
    demo: Demo, document: str, variables: dict[str, Any], viewer: str
) -> None:
    parsed = parse(document)
    assert not validate(demo.schema, parsed)
    saved = demo.scenarios
    demo.scenarios = [
        ("corner", viewer, {"entity": "demo", "project": "cifar10-augment", **variables})
    ]
    try:
        operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
        demo.compare(parsed, operation)
    finally:
        demo.scenarios = saved


def test_errors_and_refusals_do_happen_in_the_corner_documents(demo: Demo) -> None:
    # The corner documents above do reach the error paths they are there for.
    context = RequestContext(store=demo.store, viewer=demo.users["demo"])
    errors = json.loads(
        answer(
            demo.schema,
            parse(ERRORS),
            context,
            Recording,
            {"entity": "demo", "project": "cifar10-augment"},
        )
    )
    assert {tuple(e["path"]) for e in errors["errors"]} == {
        ("project", "runs"),
        ("project", "bad"),
        ("project", "negative"),
    }
    assert errors["data"]["project"]["fine"]["edges"]
    refused = json.loads(
        answer(
            demo.schema,
            parse(REFUSED),
            RequestContext(store=demo.store, viewer=demo.users["reader"]),
            Recording,
        )
    )
    assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_mutations_never_take_the_plan(demo: Demo) -> None:
    context = RequestContext(store=demo.store, viewer=demo.users["demo"])
    document = parse('mutation { upsertModel(input: {name: "planned-x"}) { project { name } } }')
    Recording.runs.clear()
    result = json.loads(answer(demo.schema, document, context, Recording))
    assert result["data"]["upsertModel"]["project"]["name"] == "planned-x"
    assert Recording.runs[0].planned is None


# -- lazy edge cursors ---------------------------------------------------------------------

RUNS = """
query Runs($cursors: Boolean!) {
  project(entityName: "demo", name: "cifar10-augment") {
    runs(first: 2) {
      pageInfo { endCursor }
      edges { node { name } cursor @include(if: $cursors) }
    }
  }
}
"""


@pytest.mark.parametrize("cls", [Recording, ExecutionContext])
def test_edge_cursors_are_encoded_only_when_asked_for(
    demo: Demo, monkeypatch: pytest.MonkeyPatch, cls: type[ExecutionContext]
) -> None:
    encoded: list[tuple[Any, ...]] = []

    def counting(*keys: Any) -> str:
        encoded.append(keys)
        return encode_cursor(*keys)

    monkeypatch.setattr(common, "encode_cursor", counting)
    document = parse(RUNS)
    assert not validate(demo.schema, document)
    results = {}
    for cursors in (False, True):
        encoded.clear()
        context = RequestContext(store=demo.store, viewer=demo.users["demo"])
        results[cursors] = json.loads(
            answer(demo.schema, document, context, cls, {"cursors": cursors})
        )
        assert len(results[cursors]["data"]["project"]["runs"]["edges"]) == 2
        # The page's two ends (page_info), and each edge's own only when selected.
        assert len(encoded) == (4 if cursors else 2)
    page = results[True]["data"]["project"]["runs"]
    assert page["edges"][-1]["cursor"] == page["pageInfo"]["endCursor"]
    assert page["edges"][0]["cursor"] != page["edges"][1]["cursor"]


# -- plans shared across requests ----------------------------------------------------------

PAGES = """
query Pages($entity: String!, $project: String!, $cursor: String, $aliases: Boolean!) {
  project(entityName: $entity, name: $project) {
    artifactType(name: "model") {
      artifactCollection(name: "classifier") {
        artifacts(first: 1, after: $cursor) {
          pageInfo { endCursor hasNextPage }
          edges { version node { id state aliases @include(if: $aliases) { alias } } }
        }
      }
    }
  }
}
"""


def test_one_document_shares_its_plan_across_pages_but_not_across_directive_values(
    demo: Demo,
) -> None:
    document = parse(PAGES)
    assert not validate(demo.schema, document)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    plans: list[Any] = []
    cursor = None
    for aliases in (True, True, False, False):
        variables: dict[str, Any] = {"entity": "demo", "project": "cifar10-augment"}
        variables["aliases"] = aliases
        variables["cursor"] = cursor if len(plans) % 2 else None
        context = RequestContext(store=demo.store, viewer=demo.users["demo"])
        Recording.runs.clear()
        planned = answer(demo.schema, document, context, Recording, variables)
        context = RequestContext(store=demo.store, viewer=demo.users["demo"])
        assert planned == answer(demo.schema, document, context, ExecutionContext, variables)
        run = Recording.runs[0]
        assert run.planned is True
        coerced = run.variable_values
        plans.append(
            root_plan(
                demo.schema,
                document,
                operation,
                run.fragments,
                coerced,
                run.field_resolver,
                run.type_resolver,
            )
        )
        page = json.loads(planned)["data"]["project"]["artifactType"]["artifactCollection"]
        cursor = page["artifacts"]["pageInfo"]["endCursor"]
        edges = page["artifacts"]["edges"]
        assert ("aliases" in edges[0]["node"]) is aliases
    # The second page (another cursor) reused the first's plan; other @include values did not.
    assert plans[0] is plans[1] and plans[2] is plans[3] and plans[0] is not plans[2]
