"""The report helpers ``wandb`` exports, with its names: ``QueryGenerator`` (the app's filter
trees and sort keys to and from Mongo-style run filters and orders),
``PythonMongoishQueryGenerator`` (Python comparisons to run filters) and
``PanelMetricsHelper`` (the names report panels use for metrics).

Everything here is pure: no requests, nothing but the data in and the data out. The filters
they make are in the run filter language of :mod:`wandbkit._lang.filters`, which
``Api.runs`` checks before sending.

The app's filter tree is ``{"op": "OR", "filters": [{"op": "AND", "filters": [leaf, ...]}]}``;
a leaf is ``{"key": {"section": "run"|"config"|"summary"|"keys_info"|"tags", "name": ...},
"op": "="|"!="|">"|">="|"<"|"<="|"IN"|"NIN"|"REGEX", "value": ..., "disabled": bool}``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import Any

from wandbkit._core.errors import UsageError

__all__ = ["PanelMetricsHelper", "PythonMongoishQueryGenerator", "QueryGenerator"]

# Run columns an order key may name without a prefix (wandb's list).
_RUN_ORDER_COLUMNS = ("createdAt", "updatedAt", "name", "sweep")
_ORDER_PREFIXES = ("config", "summary_metrics", "tags")


class QueryGenerator:
    """Conversions between the app's filter trees and sort keys and W&B's Mongo-style run
    filters and orders (``wandb.apis.public.QueryGenerator``)."""

    INDIVIDUAL_OP_TO_MONGO = {
        "!=": "$ne",
        ">": "$gt",
        ">=": "$gte",
        "<": "$lt",
        "<=": "$lte",
        "IN": "$in",
        "NIN": "$nin",
        "REGEX": "$regex",
    }
    MONGO_TO_INDIVIDUAL_OP = {v: k for k, v in INDIVIDUAL_OP_TO_MONGO.items()}
    GROUP_OP_TO_MONGO = {"AND": "$and", "OR": "$or"}
    MONGO_TO_GROUP_OP = {v: k for k, v in GROUP_OP_TO_MONGO.items()}

    @classmethod
    def format_order_key(cls, key: str) -> str:
        """An order for ``Api.runs``: ``"+loss"`` → ``"+summary_metrics.loss"``.

        Run columns (``createdAt``, ``updatedAt``, ``name``, ``sweep``) and keys under
        ``config.``/``summary_metrics.``/``tags.`` stay; anything else is a summary metric.
        Without a sign the order is descending (``-``). (``wandb`` answers ``None`` for a bare
        run column; this keeps it.)
        """
        direction = "-"
        if key.startswith(("+", "-")):
            direction, key = key[0], key[1:]
        parts = key.split(".")
        if len(parts) == 1 and parts[0] not in _RUN_ORDER_COLUMNS:
            return f"{direction}summary_metrics.{key}"
        if len(parts) > 1 and parts[0] not in _ORDER_PREFIXES:
            return f"{direction}summary_metrics.{key}"
        return direction + key

    def key_to_server_path(self, key: Mapping[str, Any]) -> str:
        """``{"section": "config", "name": "lr"}`` → ``"config.lr"`` (``summary`` →
        ``summary_metrics.``, ``keys_info`` → ``keys_info.keys.``, ``tags`` → ``tags.``, ``run``
        → the bare name).

        Raises:
            UsageError: an unknown section.
        """
        section, name = key.get("section"), key.get("name")
        prefixes = {
            "config": "config.",
            "summary": "summary_metrics.",
            "keys_info": "keys_info.keys.",
            "run": "",
            "tags": "tags.",
        }
        if section not in prefixes or not isinstance(name, str):
            raise UsageError(
                f"key must have a section in {sorted(prefixes)} and a name, got {key!r}"
            )
        return prefixes[section] + name

    def server_path_to_key(self, path: str) -> dict[str, str]:
        """The inverse of :meth:`key_to_server_path`."""
        for prefix, section in (
            ("config.", "config"),
            ("summary_metrics.", "summary"),
            ("keys_info.keys.", "keys_info"),
            ("tags.", "tags"),
        ):
            if path.startswith(prefix):
                return {"section": section, "name": path[len(prefix) :]}
        return {"section": "run", "name": path}

    def keys_to_order(self, keys: Mapping[str, Any]) -> list[str]:
        """The app's ``{"keys": [{"key": {...}, "ascending": bool}]}`` → ``["+path", ...]``."""
        return [
            ("+" if item.get("ascending") else "-") + self.key_to_server_path(item["key"])
            for item in keys["keys"]
        ]

    def order_to_keys(self, order: Sequence[str]) -> dict[str, Any]:
        """``["+name", "-createdAt"]`` → the app's sort keys (every key in the run section).

        Raises:
            UsageError: an entry that starts with neither ``+`` nor ``-``.
        """
        keys = []
        for item in order:
            if not item or item[0] not in "+-":
                raise UsageError(f"order entries must start with + or -, got {item!r}")
            keys.append({"key": {"section": "run", "name": item[1:]}, "ascending": item[0] == "+"})
        return {"keys": keys}

    def _to_mongo_individual(self, leaf: Mapping[str, Any]) -> dict[str, Any] | None:
        key, op = leaf["key"], leaf["op"]
        if key["name"] == "" or leaf.get("disabled"):
            return None
        if leaf.get("value") is None and op not in ("=", "!="):
            return None
        if key["section"] == "tags":
            if op == "IN":
                return {"tags": {"$in": leaf["value"]}}
            if leaf["value"] is False:
                return {"$or": [{"tags": None}, {"tags": {"$ne": key["name"]}}]}
            return {"tags": key["name"]}
        value = leaf.get("value")
        if op != "=":
            if op not in self.INDIVIDUAL_OP_TO_MONGO:
                raise UsageError(
                    f"filter op must be one of {['=', *self.INDIVIDUAL_OP_TO_MONGO]}, got {op!r}"
                )
            value = {self.INDIVIDUAL_OP_TO_MONGO[op]: value}
        return {self.key_to_server_path(key): value}

    def filter_to_mongo(self, filter: Mapping[str, Any]) -> dict[str, Any] | None:
        """The app's filter tree as a Mongo-style run filter (disabled and empty leaves become
        ``None``, as in ``wandb``; :func:`without_empty` drops them)."""
        if filter.get("key") is not None:
            return self._to_mongo_individual(filter)
        if filter.get("filters") is not None:
            op = filter["op"]
            if op not in self.GROUP_OP_TO_MONGO:
                raise UsageError(f"filter group op must be AND or OR, got {op!r}")
            return {
                self.GROUP_OP_TO_MONGO[op]: [self.filter_to_mongo(f) for f in filter["filters"]]
            }
        return None

    def mongo_to_filter(self, filter: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """A Mongo-style run filter as the app's filter tree (the inverse of
        :meth:`filter_to_mongo` for the filters it makes)."""
        if filter is None:
            return None
        for group in filter:
            if group in self.MONGO_TO_GROUP_OP:
                return {
                    "op": self.MONGO_TO_GROUP_OP[group],
                    "filters": [self.mongo_to_filter(f) for f in filter[group]],
                }
        for path, value in filter.items():
            if isinstance(value, Mapping):
                op = next(iter(value))
                return {
                    "key": self.server_path_to_key(path),
                    "op": self.MONGO_TO_INDIVIDUAL_OP[op],
                    "value": value[op],
                }
            return {"key": self.server_path_to_key(path), "op": "=", "value": value}
        return None


def without_empty(filter: Any) -> Any:
    """A filter from :meth:`QueryGenerator.filter_to_mongo` without its ``None`` leaves (what
    disabled and empty leaves become); an emptied group stays an empty list, which matches
    every run under ``$and`` as the app does."""
    if isinstance(filter, Mapping):
        return {k: without_empty(v) for k, v in filter.items()}
    if isinstance(filter, list):
        return [without_empty(item) for item in filter if item is not None]
    return filter


class PanelMetricsHelper:
    """The names report panels give metrics, to and from the names runs store them under
    (``wandb.apis.public.PanelMetricsHelper``)."""

    FRONTEND_NAME_MAPPING = {
        "Step": "_step",
        "Relative Time (Wall)": "_absolute_runtime",
        "Relative Time (Process)": "_runtime",
        "Wall Time": "_timestamp",
    }
    FRONTEND_NAME_MAPPING_REVERSED = {v: k for k, v in FRONTEND_NAME_MAPPING.items()}
    RUN_MAPPING = {"Created Timestamp": "createdAt", "Latest Timestamp": "heartbeatAt"}
    RUN_MAPPING_REVERSED = {v: k for k, v in RUN_MAPPING.items()}

    def front_to_back(self, name: str) -> str:
        """``"Step"`` → ``"_step"``; other names unchanged."""
        return self.FRONTEND_NAME_MAPPING.get(name, name)

    def back_to_front(self, name: str) -> str:
        """``"_step"`` → ``"Step"``; other names unchanged."""
        return self.FRONTEND_NAME_MAPPING_REVERSED.get(name, name)

    def special_front_to_back(self, name: str | None) -> str | None:
        """A scatter or parallel-coordinates panel's name: ``c::lr`` → ``config:lr.value``,
        ``s::acc`` → ``summary:acc``, ``Created Timestamp`` → ``run:createdAt``, ``Index``
        stays, anything else → ``summary:<name>``."""
        if name is None:
            return None
        head, *rest_parts = name.split(".")
        rest = "." + ".".join(rest_parts) if rest_parts else ""
        if head.startswith("c::"):
            return f"config:{head[3:]}.value{rest}"
        if head.startswith("s::"):
            return f"summary:{head[3:]}{rest}"
        if name in self.RUN_MAPPING:
            return "run:" + self.RUN_MAPPING[name]
        if name in self.FRONTEND_NAME_MAPPING:
            return "summary:" + self.FRONTEND_NAME_MAPPING[name]
        return name if name == "Index" else "summary:" + name

    def special_back_to_front(self, name: str | None) -> str | None:
        """The inverse of :meth:`special_front_to_back`.

        Raises:
            UsageError: a ``config:`` name without its ``.value``, or a name with no kind.
        """
        if name is None:
            return None
        kind, sep, rest = name.partition(":")
        if not sep:
            raise UsageError(f"name must look like 'kind:name', got {name!r}")
        if kind == "config":
            pieces = rest.split(".")
            if len(pieces) <= 1:
                raise UsageError(f"a config name must look like 'config:key.value', got {name!r}")
            return "c::" + ".".join(pieces[:1] + pieces[2:])
        if kind == "summary":
            return f"s::{rest}"
        if kind == "run":
            return self.RUN_MAPPING_REVERSED.get(rest, rest)
        return name


class PythonMongoishQueryGenerator:
    """Python comparisons (``"loss < 0.5 and State == 'finished'"``) as run filters
    (``wandb.apis.public.PythonMongoishQueryGenerator``).

    The expression is parsed with :mod:`ast`, never evaluated (so ``wandb``'s trick of
    replacing dots by ``SPACER`` before parsing, which breaks dotted names, is not needed;
    the constant is kept for code that reads it). Names the app shows
    (``State``, ``Name``, ``CreatedTimestamp``...) map to run fields; config keys (those in
    ``run_set``'s config, or its ``_runs_config``) to ``config.<key>.value``; anything else to a
    summary metric. Dotted names (``a.b``) name nested keys.

    Args:
        run_set: what knows the config keys: a mapping or collection of them, or an object
            with ``_runs_config`` (a ``wandb-workspaces`` run set); ``None`` for none.
    """

    SPACER = "----------"
    DECIMAL_SPACER = ";;;"
    #: Which field of an :mod:`ast` node holds its value (as in ``wandb``).
    AST_FIELDS: dict[type[ast.AST], str] = {
        ast.Constant: "value",
        ast.Name: "id",
        ast.List: "elts",
        ast.Tuple: "elts",
    }
    FRONTEND_NAME_MAPPING = {
        "ID": "name",
        "Name": "displayName",
        "Tags": "tags",
        "State": "state",
        "CreatedTimestamp": "createdAt",
        "Runtime": "duration",
        "User": "username",
        "Sweep": "sweep",
        "Group": "group",
        "JobType": "jobType",
        "Hostname": "host",
        "UsingArtifact": "inputArtifacts",
        "OutputtingArtifact": "outputArtifacts",
        "Step": "_step",
        "Relative Time (Wall)": "_absolute_runtime",
        "Relative Time (Process)": "_runtime",
        "Wall Time": "_timestamp",
    }
    FRONTEND_NAME_MAPPING_REVERSED = {v: k for k, v in FRONTEND_NAME_MAPPING.items()}
    AST_OPERATORS: dict[type[ast.AST], str] = {
        ast.Lt: "$lt",
        ast.LtE: "$lte",
        ast.Gt: "$gt",
        ast.GtE: "$gte",
        ast.Eq: "=",
        ast.Is: "=",
        ast.NotEq: "$ne",
        ast.IsNot: "$ne",
        ast.In: "$in",
        ast.NotIn: "$nin",
        ast.And: "$and",
        ast.Or: "$or",
        ast.Not: "$not",
    }

    def __init__(self, run_set: object = None) -> None:
        self.run_set = run_set
        self.panel_metrics_helper = PanelMetricsHelper()
        config = getattr(run_set, "_runs_config", run_set)
        keys: frozenset[str] = frozenset()
        if isinstance(config, Mapping | list | tuple | set | frozenset):
            keys = frozenset(str(key) for key in config)
        self._config_keys = keys

    def python_to_mongo(self, filterstr: str) -> dict[str, Any]:
        """``"a > 1 and b == 'x'"`` → ``{"$or": [{"$and": [{...}, {...}]}]}``.

        Raises:
            UsageError: not a comparison, or comparisons joined by ``and``/``or``.
        """
        try:
            tree = ast.parse(f"({filterstr})", mode="eval")
        except SyntaxError:
            raise UsageError(
                f"filterstr must be a Python comparison like 'my_col == 123', got {filterstr!r}"
            ) from None
        body = tree.body
        if isinstance(body, ast.BoolOp):
            op = self.AST_OPERATORS[type(body.op)]
            values = [self._compare(value) for value in body.values]
        else:
            op, values = "$and", [self._compare(body)]
        return {"$or": [{op: values}]}

    def _compare(self, node: ast.expr) -> dict[str, Any]:
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            raise UsageError("each part of the filter must be one comparison, like 'a < 1'")
        left = self._field(node.left)
        if not isinstance(left, str):
            raise UsageError("the left side of a comparison must be a column name")
        name = self.front_to_back(left)
        op = self.AST_OPERATORS[type(node.ops[0])]
        right = self._field(node.comparators[0])
        return {name: right} if op == "=" else {name: {op: right}}

    def _field(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            # A dotted column name (``acc.top1``): a nested key.
            base = self._field(node.value)
            if isinstance(base, str):
                return f"{base}.{node.attr}"
        if isinstance(node, ast.List | ast.Tuple):
            return [self._field(item) for item in node.elts]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self._field(node.operand)
            if isinstance(inner, int | float) and not isinstance(inner, bool):
                return -inner
        raise UsageError(f"unsupported expression in a filter: {ast.dump(node)}")

    def front_to_back(self, name: str) -> str:
        """A column name as a run filter field: ``State`` → ``state``, a config key →
        ``config.<key>.value``, anything else → ``summary_metrics.<name>``."""
        head, *rest_parts = name.split(".")
        rest = "." + ".".join(rest_parts) if rest_parts else ""
        if head in self.FRONTEND_NAME_MAPPING:
            return self.FRONTEND_NAME_MAPPING[head]
        if head in self.FRONTEND_NAME_MAPPING_REVERSED:
            return head
        if head in self._config_keys:
            return f"config.{head}.value{rest}"
        return f"summary_metrics.{head}{rest}"

    def back_to_front(self, name: str) -> str:
        """The inverse of :meth:`front_to_back`."""
        if name in self.FRONTEND_NAME_MAPPING_REVERSED:
            return self.FRONTEND_NAME_MAPPING_REVERSED[name]
        if name in self.FRONTEND_NAME_MAPPING:
            return name
        if name.startswith("config.") and ".value" in name:
            return name.replace("config.", "", 1).replace(".value", "", 1)
        if name.startswith("summary_metrics."):
            return name[len("summary_metrics.") :]
        return name

    def pc_front_to_back(self, name: str | None) -> str | None:
        """A parallel-coordinates panel's column name (``summary:``/``config:`` prefixes)."""
        if name is None:
            return None
        head, *rest_parts = name.split(".")
        rest = "." + ".".join(rest_parts) if rest_parts else ""
        if head in self.panel_metrics_helper.FRONTEND_NAME_MAPPING:
            return "summary:" + self.panel_metrics_helper.FRONTEND_NAME_MAPPING[head]
        if head in self.FRONTEND_NAME_MAPPING:
            return self.FRONTEND_NAME_MAPPING[head]
        if head in self.FRONTEND_NAME_MAPPING_REVERSED:
            return head
        if head in self._config_keys:
            return f"config:{head}.value{rest}"
        return f"summary:{head}{rest}"

    def pc_back_to_front(self, name: str | None) -> str | None:
        """The inverse of :meth:`pc_front_to_back`."""
        if name is None:
            return None
        if "summary:" in name:
            bare = name.replace("summary:", "")
            return self.panel_metrics_helper.FRONTEND_NAME_MAPPING_REVERSED.get(bare, bare)
        if name in self.FRONTEND_NAME_MAPPING_REVERSED:
            return self.FRONTEND_NAME_MAPPING_REVERSED[name]
        if name in self.FRONTEND_NAME_MAPPING:
            return name
        if name.startswith("config:") and ".value" in name:
            return name.replace("config:", "", 1).replace(".value", "", 1)
        if name.startswith("summary_metrics."):
            return name[len("summary_metrics.") :]
        return name
