"""The API key never appears in logs, reprs, exception messages or recorded cassettes."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
import vcr

import wandbkit
from wandbkit.cassettes import register_matchers, vcr_config
from wandbkit.errors import WandbkitError
from wandbkit.server.testing import add_run, asgi_transport, make_seeded_app, running_server

#: A key a typo away from the real one: errors about it must not echo it either.
WRONG_KEY = "f" * 40


def forms_of(key: str) -> list[str]:
    """The key and the encodings it travels in."""
    return [key, base64.b64encode(f"api:{key}".encode()).decode()]


async def test_no_log_record_repr_or_error_holds_the_key(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    app, seed = make_seeded_app()
    add_run(app.state.store, f"{seed.entity}/p", "r", files={"f.txt": b"x"}, history=[{"a": 1}])
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    seen: list[str] = []
    async with wandbkit.AsyncApi(
        api_key=seed.api_key, base_url="http://wandbkit.test", transport=asgi_transport(app)
    ) as api:
        run = await api.run(f"{seed.entity}/p/r")
        file = await run.file("f.txt")
        await file.download(root=tmp_path)
        _ = [row async for row in run.scan_history()]
        seen += [repr(api), str(api), repr(run), repr(file), repr(api.project("p"))]
        for failing in (
            api.run(f"{seed.entity}/p/missing"),
            api.run(f"{seed.entity}/nope/r"),
            run.file("missing.txt"),
        ):
            with pytest.raises(WandbkitError) as caught:
                await failing
            seen += [str(caught.value), repr(caught.value), repr(caught.value.__dict__)]
    async with wandbkit.AsyncApi(
        api_key=WRONG_KEY, base_url="http://wandbkit.test", transport=asgi_transport(app)
    ) as wrong:
        with pytest.raises(WandbkitError) as caught:
            await wrong.run(f"{seed.entity}/p/r")
        seen += [str(caught.value), repr(caught.value), repr(wrong)]
    seen += [record.getMessage() for record in caplog.records]
    seen += [repr(record.args) for record in caplog.records]
    assert len(caplog.records) > 5  # the client and httpx did log
    text = "\n".join(seen)
    for secret in forms_of(seed.api_key) + forms_of(WRONG_KEY):
        assert secret not in text


def test_a_recorded_cassette_holds_no_key(tmp_path: Path) -> None:
    with running_server() as server:
        add_run(server.store, f"{server.seed.entity}/p", "r", config={"lr": 0.1})
        recorder = vcr.VCR(**vcr_config(secrets=[server.api_key]))
        register_matchers(recorder)
        cassette = tmp_path / "session.yaml"
        with recorder.use_cassette(str(cassette), record_mode="all"):
            api = wandbkit.Api(api_key=server.api_key, base_url=server.base_url)
            run = api.run(f"{server.seed.entity}/p/r")
            assert run.config == {"lr": 0.1}
            list(api.projects())
    recorded = cassette.read_text()
    assert "GetRun" in recorded or "graphql" in recorded  # something was recorded
    for secret in forms_of(server.api_key):
        assert secret not in recorded
