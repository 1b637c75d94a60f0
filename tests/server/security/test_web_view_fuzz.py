"""Hypothesis sends the web view's pages hostile query parameters (``filters``, ``order``,
``per_page``, ``page``, ``search``, ``state``, ``after``, ``selectionPath``), hostile path
parts, ``Range`` headers beyond the file and malformed session cookies: every answer is a
page, a redirect or a client error, never a 5xx or a traceback, and never another user's
private data."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wandbkit.server.testing import add_run, basic_auth_header, make_seeded_app
from wandbkit.server.web.session import COOKIE_NAME

from .support import hostile_ints, hostile_text, json_text, request_cleanly

APP, SEED = make_seeded_app()
STORE = APP.state.store
E = SEED.entity
AUTH = basic_auth_header(SEED.api_key)
add_run(
    STORE, f"{E}/web", "r1", config={"lr": 0.1}, summary={"loss": 0.5}, files={"a.txt": b"hello"}
)
add_run(STORE, f"{E}/web", "r2", config={"lr": 0.2}, summary={"loss": 0.4})
#: In the config and a file of a run in a private project of another user only.
SECRET = "w3bsecret"
OTHER = STORE.accounts.create_user("other")
add_run(STORE, "other/hidden", "s1", config={"k": SECRET}, files={"s.txt": SECRET.encode()})

FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

params = st.dictionaries(
    st.sampled_from(
        [
            "filters",
            "order",
            "per_page",
            "page",
            "search",
            "state",
            "after",
            "selectionPath",
            "version",
            "next",
        ]
    ),
    st.one_of(hostile_text, json_text, hostile_ints.map(str)),
    max_size=4,
)
pages = st.sampled_from(
    [
        f"/{E}",
        f"/{E}/web",
        f"/{E}/web/runs/r1",
        f"/{E}/web/artifacts",
        f"/{E}/web/artifacts/dataset/d",
        f"/{E}/web/artifacts/dataset/d/v0",
        f"/orgs/{SEED.organization}/registry",
        f"/orgs/{SEED.organization}/registry/model",
    ]
)


def _no_secret(text: str) -> None:
    assert SECRET not in text


@FUZZ
@given(page=pages, query=params)
def test_no_query_parameters_get_a_server_error(
    caplog: pytest.LogCaptureFixture, page: str, query: dict[str, str]
) -> None:
    answer = request_cleanly(APP, AUTH, caplog, "GET", page, params=query)
    assert answer.status_code in (200, 303, 400, 404), answer.text[:500]
    _no_secret(answer.text)


path_parts = st.one_of(
    hostile_text.filter(lambda t: t not in ("", ".", "..")).map(lambda t: quote(t, safe="")),
    st.sampled_from(["..%2F..%2Fother", "%2e%2e", "%00", "v" + "9" * 30, "a" * 3000]),
)


@FUZZ
@given(
    template=st.sampled_from(
        [
            "/{0}/web/runs/{1}",
            "/{0}/web/runs/r1/files/{1}",
            "/{0}/{1}",
            f"/{E}/web/runs/r1/files/{{1}}",
            f"/{E}/web/runs/{{1}}/files/a.txt",
            f"/{E}/web/artifacts/{{0}}/{{1}}/v0/files/{{1}}",
            f"/{E}/web/sweeps/{{1}}",
            f"/{E}/web/reports/{{1}}",
            "/orgs/{0}/registry/{1}",
        ]
    ),
    first=st.one_of(st.just("other"), path_parts),
    second=st.one_of(st.sampled_from(["hidden", "s1", "s.txt"]), path_parts),
)
def test_no_hostile_path_gets_a_server_error_or_another_users_data(
    caplog: pytest.LogCaptureFixture, template: str, first: str, second: str
) -> None:
    answer = request_cleanly(APP, AUTH, caplog, "GET", template.format(first, second))
    assert answer.status_code in (200, 303, 307, 400, 404), answer.text[:500]
    if answer.status_code == 307:
        # Starlette drops a trailing slash (an encoded one too: ``/%2F``) by redirecting to
        # the same path without it, on this host: never elsewhere.
        location = httpx.URL(answer.headers["location"])
        assert location.host in ("", answer.request.url.host), location
    _no_secret(answer.text)


ranges = st.one_of(
    st.builds(
        lambda a, b: f"bytes={a}-{b}",
        st.one_of(st.just(""), hostile_ints.map(str)),
        st.one_of(st.just(""), hostile_ints.map(str)),
    ),
    # (A header is ASCII: httpx sends nothing else.)
    hostile_text.filter(lambda t: t.isascii() and t.isprintable()).map(lambda t: "bytes=" + t),
    st.sampled_from(["bytes=0-1,2-3", "items=0-1", "bytes=-0", "bytes=" + "9" * 5000 + "-"]),
)


@FUZZ
@given(
    path=st.sampled_from(
        [
            f"/{E}/web/runs/r1/files/a.txt",
            f"/files/{E}/web/r1/a.txt",
            "/other/hidden/runs/s1/files/s.txt",
        ]
    ),
    header=ranges,
)
def test_a_range_beyond_the_file_or_of_any_shape_is_answered_cleanly(
    caplog: pytest.LogCaptureFixture, path: str, header: str
) -> None:
    answer = request_cleanly(APP, {**AUTH, "Range": header}, caplog, "GET", path)
    assert answer.status_code in (200, 206, 400, 404, 416), answer.text[:500]
    if answer.status_code in (200, 206):
        assert answer.content in b"hello"  # a part of the file asked for, nothing else
    _no_secret(answer.text)


cookies = st.one_of(
    hostile_text.map(lambda t: quote(t, safe="")),
    st.sampled_from([SEED.api_key + ";", '"' + SEED.api_key, "=", ";;", "a" * 5000]),
)


@FUZZ
@given(cookie=cookies, page=pages)
def test_a_malformed_session_cookie_is_sent_to_the_login_form(
    caplog: pytest.LogCaptureFixture, cookie: str, page: str
) -> None:
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"}
    answer = request_cleanly(APP, headers, caplog, "GET", page)
    assert answer.status_code in (200, 303, 400, 404), answer.text[:500]
    if SEED.api_key not in cookie:
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login?next=")


@FUZZ
@given(body=st.one_of(st.binary(max_size=200), hostile_text.map(str.encode)), csrf=hostile_text)
def test_logout_with_a_forged_token_is_refused_and_keeps_the_session(
    caplog: pytest.LogCaptureFixture, body: bytes, csrf: str
) -> None:
    headers = {
        "Cookie": f"{COOKIE_NAME}={SEED.api_key}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    forged = body + b"&csrf=" + quote(csrf).encode()
    answer = request_cleanly(APP, headers, caplog, "POST", "/logout", content=forged)
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize(
    ("page", "filters"),
    [
        (f"/{E}/web", "[" * 5000 + "]" * 5000),
        (f"/{E}/web", json.dumps(json.loads('{"$and":[' * 100 + "{}" + "]}" * 100))),
    ],
)
def test_a_deeply_nested_runs_filter_is_a_400(
    caplog: pytest.LogCaptureFixture, page: str, filters: str
) -> None:
    answer = request_cleanly(APP, AUTH, caplog, "GET", page, params={"filters": filters})
    assert answer.status_code == 400
    assert "nests more than 64 levels deep" in answer.text


@pytest.mark.parametrize("token", ["\N{SUPERSCRIPT TWO}", "é" * 64, "\udcff"])
def test_logout_with_a_non_ascii_token_is_a_403(
    caplog: pytest.LogCaptureFixture, token: str
) -> None:
    headers = {
        "Cookie": f"{COOKIE_NAME}={SEED.api_key}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = "csrf=" + quote(token, errors="surrogatepass")
    answer = request_cleanly(APP, headers, caplog, "POST", "/logout", content=body.encode())
    assert answer.status_code == 403
