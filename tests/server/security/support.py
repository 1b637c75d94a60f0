"""What the security suites share: hostile values for Hypothesis, and the check that an answer
is a clean refusal or a success (never a 5xx, a traceback or a logged server bug)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
from hypothesis import strategies as st
from starlette.applications import Starlette

from wandbkit.server.ids import encode_id
from wandbkit.server.testing import asgi_transport

#: Text a hostile caller sends: unicode, NUL and control characters, SQL and path syntax.
hostile_text = st.one_of(
    st.text(max_size=24),
    st.text(alphabet=st.sampled_from([*"ab/.\\'\"%_$;\x00\n\r\t", "é", "\N{SUPERSCRIPT TWO}"])),
    st.sampled_from(["", " ", "..", "../../etc/passwd", "\x00", "a" * 5000, "%00", "${x}"]),
)
#: Integers around every boundary an id or a count can cross.
hostile_ints = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64]),
)
#: JSON values, some nested past the request's depth limit.
json_values = st.recursive(
    st.none() | st.booleans() | hostile_ints | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)
#: Text for a ``JSONString``: JSON of any shape, deeply nested JSON, or not JSON at all.
json_text = st.one_of(
    json_values.map(json.dumps),
    st.integers(1, 1200).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.integers(1, 1200).map(lambda depth: "[" * depth + "]" * depth),
    st.sampled_from(["", "not json", "{", "1e999", "NaN", '{"a": 1}{', "\x00"]),
    hostile_text,
)


def opaque_ids(*type_names: str) -> st.SearchStrategy[object]:
    """Ids of these types with any key (huge, negative, unicode digits), ids of other types,
    and things that are no id at all."""
    keys = st.one_of(hostile_ints.map(str), hostile_text, st.just("\N{SUPERSCRIPT TWO}"))
    return st.one_of(
        st.builds(encode_id, st.sampled_from([*type_names, "User", "Entity"]), keys),
        hostile_text,
        hostile_ints,
        st.none(),
    )


#: The longest a single fuzzed request may take: cost is bounded, so this is generous.
MAX_SECONDS = 5.0

Send = Callable[[], Awaitable[httpx.Response]]


async def clean_answer(send: Send, caplog: pytest.LogCaptureFixture) -> httpx.Response:
    """``await send()``, checking the answer is not a server failure: no 5xx, no traceback
    text, nothing logged at ERROR by the server, and no longer than :data:`MAX_SECONDS`."""
    caplog.clear()
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="wandbkit.server"):
        response = await send()
    elapsed = time.monotonic() - started
    assert response.status_code < 500, response.text[:2000]
    assert "Traceback" not in response.text, response.text[:2000]
    bugs = [r.getMessage()[:500] for r in caplog.records if r.levelno >= logging.ERROR]
    assert bugs == [], bugs
    assert elapsed < MAX_SECONDS, f"the request took {elapsed:.1f} s"
    return response


def request_cleanly(
    app: Starlette,
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    method: str,
    url: str,
    **kwargs: object,
) -> httpx.Response:
    """One request to ``app`` checked by :func:`clean_answer`, from synchronous code (a
    Hypothesis test body)."""

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=asgi_transport(app), base_url="http://wandbkit.test", headers=headers
        ) as client:
            return await clean_answer(lambda: client.request(method, url, **kwargs), caplog)  # type: ignore[arg-type]

    return asyncio.run(send())
