"""Hostile signed-URL tokens are refused with 403, never a 5xx, on both signed routes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import httpx
import pytest

from wandbkit.server.signing import DOWNLOAD, UPLOAD, InvalidSignatureError, UrlSigner

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
SIGNER = UrlSigner(b"s" * 32, lambda: NOW)
GOOD = SIGNER.sign(DOWNLOAD, 7, timedelta(minutes=5))
KEY, EXPIRES, MAC = GOOD.split(".")

HOSTILE = {
    "superscript digit in the key": f"1\N{SUPERSCRIPT TWO}.{EXPIRES}.{MAC}",
    "superscript digit in the expiry": f"{KEY}.{EXPIRES}\N{SUPERSCRIPT TWO}.{MAC}",
    "arabic-indic digits": f"\N{ARABIC-INDIC DIGIT SEVEN}.{EXPIRES}.{MAC}",
    "a key of 5,000 digits": f"{'9' * 5000}.{EXPIRES}.{MAC}",
    "an expiry of 5,000 digits": f"{KEY}.{'9' * 5000}.{MAC}",
    "a sign": f"+7.{EXPIRES}.{MAC}",
    "padding on the mac": f"{KEY}.{EXPIRES}.{MAC}=",
    "a mac of another alphabet": f"{KEY}.{EXPIRES}.{MAC[:-1]}+",
    "60,000 characters of mac": f"{KEY}.{EXPIRES}.{'A' * 60_000}",
    "empty parts": ".x.",
    "four parts": f"{KEY}.{EXPIRES}.{MAC}.{MAC}",
    "a newline": f"{KEY}.{EXPIRES}.{MAC}\n",
}


def test_the_signer_accepts_its_own_token() -> None:
    assert SIGNER.verify(DOWNLOAD, GOOD) == 7


@pytest.mark.parametrize("token", list(HOSTILE.values()), ids=list(HOSTILE))
def test_the_signer_refuses_a_malformed_token_with_its_own_error(token: str) -> None:
    with pytest.raises(InvalidSignatureError, match="malformed"):
        SIGNER.verify(DOWNLOAD, token)
    with pytest.raises(InvalidSignatureError, match="malformed"):
        SIGNER.verify(UPLOAD, token)


@pytest.mark.parametrize("token", list(HOSTILE.values()), ids=list(HOSTILE))
async def test_both_signed_routes_answer_a_hostile_token_with_403(
    anonymous_client: httpx.AsyncClient, token: str
) -> None:
    escaped = quote(token, safe="")
    download = await anonymous_client.get(f"/signed/files/{escaped}")
    upload = await anonymous_client.put(f"/signed/upload/{escaped}", content=b"x")
    part = await anonymous_client.put(f"/signed/artifact-upload-part/{escaped}", content=b"x")
    for response in (download, upload, part):
        assert response.status_code == 403, response.text
        assert response.json() == {"errors": [{"message": "forbidden: malformed signed URL"}]}
