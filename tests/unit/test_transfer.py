"""Transfer checks: upload-header lines, md5 spellings, and size/md5 verification."""

from __future__ import annotations

import base64
import hashlib

import pytest

from wandbkit._core.errors import IntegrityError
from wandbkit._core.transfer import (
    Tally,
    Transfer,
    md5_digest_of,
    parse_upload_headers,
    verify_transfer,
)

CONTENT = b"lr: 0.001\n"
DIGEST = hashlib.md5(CONTENT, usedforsecurity=False).digest()
MD5_B64 = base64.b64encode(DIGEST).decode()
MD5_HEX = DIGEST.hex()
GOT = Transfer(len(CONTENT), MD5_B64)
OTHER_B64 = base64.b64encode(hashlib.md5(b"other", usedforsecurity=False).digest()).decode()


@pytest.mark.parametrize(
    ("lines", "headers"),
    [
        ([], {}),
        (["Content-Type: text/plain"], {"Content-Type": "text/plain"}),
        (["  X-Meta  :  a:b  "], {"X-Meta": "a:b"}),
        (["no colon", ": no name", "No-Value:", "   : ", "Ok: 1"], {"Ok": "1"}),
        (["A: first", "A: second"], {"A": "second"}),
    ],
)
def test_upload_header_lines_become_a_mapping_and_malformed_lines_are_skipped(
    lines: list[str], headers: dict[str, str]
) -> None:
    assert parse_upload_headers(lines) == headers


@pytest.mark.parametrize(
    ("spelt", "digest"),
    [
        (MD5_B64, DIGEST),
        (MD5_HEX, DIGEST),
        (MD5_HEX.upper(), DIGEST),
        (f" {MD5_B64}\n", DIGEST),
        ("not base64!", None),
        (base64.b64encode(b"short").decode(), None),
        ("", None),
    ],
)
def test_an_md5_is_read_from_base64_or_hex_and_anything_else_is_none(
    spelt: str, digest: bytes | None
) -> None:
    assert md5_digest_of(spelt) == digest


@pytest.mark.parametrize(
    ("expected_size", "expected_md5"),
    [
        (len(CONTENT), MD5_B64),
        (len(CONTENT), MD5_HEX),
        (len(CONTENT), None),
        (len(CONTENT), ""),
        (None, MD5_B64),
        (None, None),
    ],
)
def test_a_transfer_that_matches_the_record_passes(
    expected_size: int | None, expected_md5: str | None
) -> None:
    verify_transfer(expected_size, expected_md5, GOT, description="download of 'config.yaml'")


@pytest.mark.parametrize(
    ("expected_size", "expected_md5", "message"),
    [
        (5, MD5_B64, r"^download of 'x': 10 bytes transferred, the server's record says 5$"),
        (5, OTHER_B64, "10 bytes transferred"),  # the size is reported first
        (len(CONTENT), OTHER_B64, f"^download of 'x': md5 {MD5_B64} does not match the server's"),
        (len(CONTENT), "garbage", "md5 .* does not match the server's garbage"),
    ],
)
def test_a_transfer_that_differs_from_the_record_raises_integrity_error(
    expected_size: int, expected_md5: str, message: str
) -> None:
    with pytest.raises(IntegrityError, match=message):
        verify_transfer(expected_size, expected_md5, GOT, description="download of 'x'")


def test_a_tally_counts_chunks_and_forgets_them_on_reset() -> None:
    tally = Tally()
    tally.add(b"stale bytes of a failed attempt")
    tally.reset()
    tally.add(CONTENT[:4])
    tally.add(CONTENT[4:])

    assert tally.result() == GOT
    assert tally.result().md5_hex == MD5_HEX


def test_an_empty_transfer_has_the_md5_of_no_bytes() -> None:
    assert Tally().result() == Transfer(0, "1B2M2Y8AsgTpgAmY7PhCfg==")
