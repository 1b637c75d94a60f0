"""Every document the official client sends for the public API validates against schema/.

The documents and their scopes come from ``../shared/reference/official-ops/`` (the official
client, wandb 0.31.0): those whose scope is ``public``, ``public-private`` or
``launch-transitive`` in ``index.json``, plus every document of the ``wandb-core`` helper
process. Each file is validated on its own (they each define their fragments), with
``wandbkit.schema_tools.check_documents``: the tool users get. The coverage is printed in the
terminal summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wandbkit._schema import schema_path
from wandbkit.schema_tools import check_documents

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_OPS = ROOT.parent / "shared" / "reference" / "official-ops"
IN_SCOPE = frozenset({"public", "public-private", "launch-transitive"})
#: How many documents the scopes select in the wandb 0.31.0 reference (118 + 14 wandb-core).
EXPECTED_DOCUMENTS = 132
#: Where the coverage line waits for the terminal summary (tests/contract/conftest.py).
COVERAGE_KEY = pytest.StashKey[str]()

pytestmark = pytest.mark.contract


def official_documents() -> list[Path]:
    """The in-scope documents, in index order, then wandb-core's by name."""
    index = json.loads((OFFICIAL_OPS / "index.json").read_text())
    selected = [
        OFFICIAL_OPS / f"{name}.graphql"
        for name, entry in index.items()
        if entry.get("scope") in IN_SCOPE
    ]
    return selected + sorted((OFFICIAL_OPS / "wandb-core").glob("*.graphql"))


@pytest.fixture(scope="module")
def documents() -> list[Path]:
    if not (OFFICIAL_OPS / "index.json").is_file():
        pytest.skip(f"the official-client documents are not present at {OFFICIAL_OPS}")
    return official_documents()


def test_the_scopes_select_every_public_document(documents: list[Path]) -> None:
    assert len(documents) == EXPECTED_DOCUMENTS
    assert all(path.is_file() for path in documents)


def test_every_public_official_document_validates_against_the_schema(
    documents: list[Path], pytestconfig: pytest.Config
) -> None:
    errors = check_documents(schema_path(), documents, shared_fragments=False)
    rejected = {error.path for error in errors}
    accepted = len(documents) - len(rejected)
    pytestconfig.stash[COVERAGE_KEY] = (
        f"official-client documents accepted by schema/wandb.graphql: "
        f"{accepted}/{len(documents)} ({100 * accepted / len(documents):.0f}%)"
    )
    assert [str(error) for error in errors] == []
