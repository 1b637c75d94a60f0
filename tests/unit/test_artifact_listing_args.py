"""The arguments artifact listings check before any request: orders as wandb validates them
(``[+|-]field``, ``+`` when unsigned, no dotted paths) and filters as JSON."""

from __future__ import annotations

import pytest

from wandbkit._async.artifacts.versions import check_filters, check_order
from wandbkit.errors import UsageError


@pytest.mark.parametrize(
    ("order", "expected"),
    [(None, None), ("createdAt", "+createdAt"), ("-createdAt", "-createdAt"), ("+name", "+name")],
)
def test_orders(order: str | None, expected: str | None) -> None:
    assert check_order(order) == expected


@pytest.mark.parametrize("order", ["config.lr", "-", "", "1abc", "a b", 3])
def test_bad_orders(order: object) -> None:
    with pytest.raises(UsageError, match="order must look like"):
        check_order(order)


def test_filters() -> None:
    assert check_filters(None) is None
    assert check_filters({"state": "COMMITTED"}) == '{"state": "COMMITTED"}'
    with pytest.raises(UsageError, match="filters must be a dict"):
        check_filters(["state"])
    with pytest.raises(UsageError, match="NaN"):
        check_filters({"x": float("nan")})
