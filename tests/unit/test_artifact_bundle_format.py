"""The bundle format (wandbkit._lang.artifact_bundle): URLs recognized, and answers split
right whatever the chunk boundaries."""

from __future__ import annotations

import pytest

from wandbkit._lang.artifact_bundle import (
    BundleDecoder,
    BundleError,
    bundle_target,
    decode_request,
    encode_request,
    item_header,
)

TOKEN = "12.1700000000." + "a" * 43


def test_only_our_signed_file_urls_are_bundled() -> None:
    assert bundle_target(f"http://127.0.0.1:8080/signed/artifact-files/{TOKEN}") == (
        "http://127.0.0.1:8080/signed/artifact-file-bundle",
        TOKEN,
    )
    # Behind a path prefix, the bundle route is under the same prefix.
    assert bundle_target(f"https://h/api/signed/artifact-files/{TOKEN}") == (
        "https://h/api/signed/artifact-file-bundle",
        TOKEN,
    )
    for url in (
        "https://storage.googleapis.com/bucket/obj?X-Goog-Signature=1",
        f"http://h/signed/artifact-files/{TOKEN}?x=1",
        "http://h/signed/artifact-files/not-a-token",
        f"http://h/signed/files/{TOKEN}",
        f"file:///signed/artifact-files/{TOKEN}",
    ):
        assert bundle_target(url) is None, url


def test_requests_round_trip() -> None:
    assert decode_request(encode_request([TOKEN, "b"])) == [TOKEN, "b"]


ITEMS = [(200, b"hello"), (404, b"file not found"), (200, b""), (200, bytes(range(256)) * 9)]
BODY = b"".join(item_header(status, len(data)) + data for status, data in ITEMS)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(BODY)])
def test_any_chunking_gives_the_same_items(size: int) -> None:
    decoder = BundleDecoder(len(ITEMS))
    got: dict[int, tuple[int, bytes]] = {}
    for start in range(0, len(BODY), size):
        for part in decoder.feed(BODY[start : start + size]):
            status, data = got.get(part.index, (part.status, b""))
            got[part.index] = (status, data + part.data)
            assert not part.last or part.index == len(got) - 1
    assert decoder.complete
    assert [got[i] for i in range(len(ITEMS))] == ITEMS


def test_a_short_answer_is_not_complete() -> None:
    decoder = BundleDecoder(len(ITEMS))
    list(decoder.feed(BODY[:-1]))
    assert not decoder.complete


@pytest.mark.parametrize(
    "body", [b"200 x\n", b"99 1\nx", b"200 1 \nx", b"2" * 40, item_header(200, 0) * 5]
)
def test_malformed_answers_are_refused(body: bytes) -> None:
    with pytest.raises(BundleError):
        list(BundleDecoder(4).feed(body))
