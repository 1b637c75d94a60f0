"""``wandbkit._values.file_stream``: what a run writer sends, pure (no server)."""

from __future__ import annotations

import math

import pytest

from wandbkit._values.file_stream import (
    HISTORY_FILE,
    OUTPUT_FILE,
    SUMMARY_FILE,
    ConsoleText,
    StreamBuffer,
    check_finite_step,
    encode_row,
)
from wandbkit.errors import UsageError


def console_lines(chunk_body: dict) -> tuple[int, list[str]]:
    part = chunk_body["files"][OUTPUT_FILE]
    return part["offset"], [line.split(" ", 1)[1] for line in part["content"]]


def test_a_body_is_the_same_until_committed_and_offsets_move_after() -> None:
    buffer = StreamBuffer(history_offset=7)
    for step in range(3):
        buffer.add_row(encode_row({"_step": step}))
    first = buffer.take()
    assert buffer.take().body == first.body  # a retry re-sends exactly this
    assert first.body["files"][HISTORY_FILE]["offset"] == 7
    buffer.commit(first)
    buffer.add_row(encode_row({"_step": 3}))
    assert buffer.take().body["files"][HISTORY_FILE] == {"offset": 10, "content": ['{"_step":3}']}


def test_bodies_are_split_by_size_and_complete_comes_with_the_last() -> None:
    buffer = StreamBuffer(max_bytes=25)
    for step in range(5):
        buffer.add_row(encode_row({"_step": step}))  # 11 bytes each
    sizes = []
    while True:
        chunk = buffer.take(complete=True, exitcode=3)
        buffer.commit(chunk)
        sizes.append(len(chunk.body["files"][HISTORY_FILE]["content"]))
        if chunk.final:
            break
        assert "complete" not in chunk.body
    assert sizes == [2, 2, 1]
    assert chunk.body["complete"] is True and chunk.body["exitcode"] == 3


def test_console_text_becomes_lines_and_a_carriage_return_rewrites_the_open_line() -> None:
    buffer = StreamBuffer(console_offset=4)
    buffer.add_console("start\nprogress 10%", error=False, timestamp=0.0)
    chunk = buffer.take()
    assert console_lines(chunk.body) == (4, ["start", "progress 10%"])
    buffer.commit(chunk)
    buffer.add_console("\rprogress 100%\ndone\n", error=False, timestamp=0.0)
    # Line 5 is sent again, rewritten; the server replaces it.
    assert console_lines(buffer.take().body) == (5, ["progress 100%", "done"])


def test_stderr_lines_carry_the_error_prefix() -> None:
    line = ConsoleText("boom", error=True, timestamp=0.0)
    assert line.encoded() == "ERROR 1970-01-01T00:00:00.000000 boom"


def test_the_summary_is_sent_only_when_it_changed() -> None:
    buffer = StreamBuffer()
    buffer.set_summary('{"a":1}')
    chunk = buffer.take()
    assert chunk.body["files"][SUMMARY_FILE] == {"offset": 0, "content": ['{"a":1}']}
    buffer.commit(chunk)
    buffer.set_summary('{"a":1}')
    assert buffer.take().body == {}  # a heartbeat
    assert buffer.empty


def test_uploaded_names_are_reported_once() -> None:
    buffer = StreamBuffer()
    buffer.add_uploaded("model.pt")
    chunk = buffer.take()
    assert chunk.body == {"uploaded": ["model.pt"]}
    buffer.commit(chunk)
    assert buffer.take().body == {}


def test_rows_keep_nan_and_convert_array_likes() -> None:
    class Scalar:
        def item(self) -> float:
            return 0.5

    assert encode_row({"x": math.nan, "y": Scalar(), "z": (1, 2)}) == '{"x":NaN,"y":0.5,"z":[1,2]}'
    with pytest.raises(UsageError, match=r"row\.x must be JSON data"):
        encode_row({"x": object()})
    with pytest.raises(UsageError, match="keys must be text"):
        encode_row({1: 2})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("step", "ok"), [(3, True), (3.0, True), (2, False), ("3", False), (True, False)]
)
def test_steps_must_be_integers_above_the_last(step: object, ok: bool) -> None:
    if ok:
        assert check_finite_step(step, 2) == 3
    else:
        with pytest.raises(UsageError, match="step"):
            check_finite_step(step, 2)
