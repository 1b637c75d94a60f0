"""``wandbkit server seed`` / ``wandbkit server``, and the server on a real loopback port."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from wandbkit.cli import build_parser, main
from wandbkit.server import Store, seed_demo
from wandbkit.server.seed import DEMO_LAUNCH_PROJECTS, DEMO_PROJECTS, DEMO_REGISTRIES
from wandbkit.server.testing import basic_auth_header, running_server

VIEWER = {"query": "query Viewer { viewer { username entity } }", "operationName": "Viewer"}


def seed_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[list[str], str]:
    assert main(["server", "seed", *argv]) == 0
    out, err = capsys.readouterr()
    return out.splitlines(), err


def test_seed_prints_exactly_the_two_environment_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "seeded.db"
    lines, err = seed_lines(capsys, "--db", str(db))
    assert len(lines) == 2
    assert re.fullmatch(r"WANDB_API_KEY=[0-9a-f]{40}", lines[0])
    assert lines[1] == "WANDB_BASE_URL=http://127.0.0.1:8080"
    key = lines[0].split("=", 1)[1]
    assert key not in err and "seeded" in err
    with Store(db) as store:
        user = store.accounts.user_for_api_key(key)
        assert user is not None and user.username == "demo"
        assert store.counts()["projects"] == 0


def test_seed_demo_with_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    key = "0123456789abcdef0123456789abcdef01234567"
    lines, _ = seed_lines(
        capsys,
        "--db",
        str(db),
        "--demo",
        "--base-url",
        "http://127.0.0.1:9999/",
        "--api-key",
        key,
        "--username",
        "alice",
        "--team",
        "vision",
        "--organization",
        "acme",
    )
    assert lines == [f"WANDB_API_KEY={key}", "WANDB_BASE_URL=http://127.0.0.1:9999"]
    with Store(db) as store:
        user = store.accounts.user_for_api_key(key)
        assert user is not None and user.username == "alice"
        assert store.entities.get("vision") is not None and store.entities.get_organization("acme")
        assert store.counts()["projects"] == (
            len(DEMO_PROJECTS) + len(DEMO_REGISTRIES) + len(DEMO_LAUNCH_PROJECTS)
        )


def test_seeding_an_existing_database_adds_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "twice.db")
    first, _ = seed_lines(capsys, "--db", db)
    second, _ = seed_lines(capsys, "--db", db)
    assert first[0] != second[0]
    with Store(db) as store:
        for line in (first[0], second[0]):
            assert store.accounts.user_for_api_key(line.split("=", 1)[1]) is not None


def test_a_seed_that_cannot_work_fails_with_nothing_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["server", "seed", "--db", str(tmp_path / "x.db"), "--team", "demo"])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert "cannot seed" in err


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "server" in capsys.readouterr().err


def test_the_server_command_has_its_defaults() -> None:
    args = build_parser().parse_args(["server"])
    assert (args.host, args.port, args.db) == ("127.0.0.1", 8080, "./wandbkit-server.db")


def test_running_server_answers_healthz_and_graphql_over_loopback() -> None:
    with running_server() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.api_key not in repr(server)
        with httpx.Client(base_url=server.base_url, trust_env=False) as client:
            assert client.get("/healthz").json() == {"ok": True}
            response = client.post(
                "/graphql", json=VIEWER, headers=basic_auth_header(server.api_key)
            )
            assert response.json() == {"data": {"viewer": {"username": "demo", "entity": "demo"}}}
            assert client.post("/graphql", json=VIEWER).status_code == 401
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.base_url}/healthz", timeout=1, trust_env=False)


def test_running_server_serves_a_given_store_and_leaves_it_open(tmp_path: Path) -> None:
    store = Store(tmp_path / "given.db")
    seed = seed_demo(store)
    with running_server(store, seed=seed) as server, httpx.Client(trust_env=False) as client:
        response = client.post(
            server.graphql_url,
            json={"query": '{ project(name: "llm-finetune", entityName: "demo-team") { name } }'},
            headers={"Authorization": f"Bearer {seed.api_key}"},
        )
        assert response.json() == {"data": {"project": {"name": "llm-finetune"}}}
        assert server.env() == {"WANDB_BASE_URL": server.base_url, "WANDB_API_KEY": seed.api_key}
    assert store.accounts.get_user(seed.username) is not None  # still open
    store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_wandbkit_server_command_serves_a_seeded_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.db")
    port = _free_port()
    lines, _ = seed_lines(capsys, "--db", db, "--base-url", f"http://127.0.0.1:{port}")
    env = dict(line.split("=", 1) for line in lines)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wandbkit.cli",
            "server",
            "--port",
            str(port),
            "--db",
            db,
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=env["WANDB_BASE_URL"], trust_env=False, timeout=2) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
            response = client.post(
                "/graphql", json=VIEWER, headers=basic_auth_header(env["WANDB_API_KEY"])
            )
            assert response.json()["data"]["viewer"]["username"] == "demo"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert env["WANDB_API_KEY"] not in err


@pytest.mark.parametrize(("argv", "delay"), [([], None), (["--history-exports-delay", "0"], 0.0)])
def test_the_server_command_sets_when_history_is_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], delay: float | None
) -> None:
    import uvicorn

    from wandbkit.server.history_exports import exports_for

    seen: list[object] = []

    def fake_run(app: Any, **_: Any) -> None:
        found = exports_for(app.state.store).delay
        seen.append(None if found is None else found.total_seconds())

    monkeypatch.setattr(uvicorn, "run", fake_run)
    assert main(["server", "--db", str(tmp_path / "x.db"), *argv]) == 0
    assert seen == [delay]


def test_a_negative_history_exports_delay_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["server", "--db", str(tmp_path / "x.db"), "--history-exports-delay", "-1"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "--history-exports-delay" in capsys.readouterr().err
