"""docs/errors.md shows the exception tree that ``wandbkit.errors`` really has."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

import wandbkit.errors

ROOT = Path(__file__).resolve().parents[2]
# The root at the line's start, or a branch "├── Name" / "└── Name" (a continuation line of a
# long description has no branch).
_LINE = re.compile(r"^(?P<indent>(?:[│ ] {3})*)(?P<branch>[├└]── )?(?P<name>[A-Za-z]+Error)\b")


def _tree(text: str) -> dict[str, str | None]:
    """Each exception named in a box-drawing tree, with its parent in the tree."""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match is None or (match["indent"] and not match["branch"]):
            continue
        depth = len(match["indent"]) // 4 + (1 if match["branch"] else 0)
        del stack[depth:]
        parents[match["name"]] = stack[-1] if stack else None
        stack.append(match["name"])
    return parents


def _page_tree() -> str:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    return text.split("```text\n", 1)[1].split("```", 1)[0]


def test_the_page_shows_the_modules_tree() -> None:
    module_tree = textwrap.dedent((wandbkit.errors.__doc__ or "").split("::", 1)[1].strip("\n"))
    assert _tree(_page_tree()) == _tree(module_tree)


def test_the_tree_is_the_class_hierarchy() -> None:
    tree = _tree(_page_tree())
    public = {
        name
        for name in wandbkit.errors.__all__
        if inspect.isclass(getattr(wandbkit.errors, name))
        and issubclass(getattr(wandbkit.errors, name), BaseException)
    }
    assert set(tree) == public
    for name, parent in tree.items():
        cls = getattr(wandbkit.errors, name)
        if parent is None:
            assert cls.__mro__[1] is Exception
        else:
            assert issubclass(cls, getattr(wandbkit.errors, parent)), (name, parent)
            # The parent is the nearest public ancestor: nothing public sits between them.
            between = [
                c.__name__
                for c in cls.__mro__[1:]
                if c.__name__ in public
                and issubclass(c, getattr(wandbkit.errors, parent))
                and c.__name__ != parent
            ]
            assert between == [] or name == "GraphQLPermissionDeniedError", (name, between)
