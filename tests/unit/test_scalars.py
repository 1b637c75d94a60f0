"""The DateTime scalar as the generated models read it: ISO-8601 text into aware datetimes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from wandbkit._core.scalars import parse_datetime

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # no zone: UTC
        ("2024-01-02T03:04:05.1Z", datetime(2024, 1, 2, 3, 4, 5, 100000, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123Z", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        (
            "2024-01-02T03:04:05.5+02:00",
            datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2024-01-02 03:04:05.1234567", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    ],
)
def test_iso_text_becomes_an_aware_datetime(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()


def test_datetimes_pass_through_naive_ones_in_utc() -> None:
    aware = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=-5)))
    assert parse_datetime(aware) is aware
    assert parse_datetime(datetime(2024, 1, 1)) == datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01T00:00:00Z"])
def test_text_that_is_not_iso_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text)
