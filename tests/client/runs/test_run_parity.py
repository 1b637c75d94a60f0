"""The smaller members of the official surface for runs, files, projects and the Api:
``Run.create`` (running or pending), ``Run.dir``, ``display()``, ``File.run``/``path_uri``,
``Project.owner``/``entity_name``/``to_html``, ``Runs.length``, ``api.settings[...]``,
``Summary.update(key_vals, overwrite)`` and the legacy h5 summary members,
``Project.sweeps(order=...)``, ``str(summary)``, ``Run.project_internal_id``.

Every test runs on both flavours (``flavor``)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from wandbkit._async.files import s3_uri
from wandbkit.errors import NotLoadedError, UsageError
from wandbkit.server.testing import add_run

from ..support import Flavor


async def test_run_create_makes_running_and_pending_runs(
    flavor: Flavor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = type(await flavor(flavor.api.create_run(project="p", run_id="first")))
    pending = await flavor(cls.create(flavor.api, run_id="later", project="p", state="pending"))
    assert pending.id == "later" and pending.state == "pending"
    running = await flavor(cls.create(flavor.api, project="p"))
    assert running.state == "running" and running.entity == "demo"
    assert (await flavor(flavor.api.run("demo/p/later"))).state == "pending"
    with pytest.raises(UsageError, match="state must be 'running' or 'pending'"):
        await flavor(cls.create(flavor.api, project="p", state="finished"))
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    assert pending.dir == os.path.join(tmp_path, "demo", "p", "later")
    assert Path(pending.dir).is_dir()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert pending.display() is False


async def test_files_know_their_run_and_s3_uri(flavor: Flavor, seeded_app: Any) -> None:
    add_run(seeded_app[0].state.store, "demo/p", "r1", files={"a.txt": b"hi"})
    run = await flavor(flavor.api.run("demo/p/r1"))
    (listed,) = await flavor.list(run.files())
    one = await flavor(run.file("a.txt"))
    assert listed.run is run and one.run is run
    assert listed.path_uri == ""  # the local server does not store files in S3
    assert s3_uri("https://bkt.s3.us-west-2.amazonaws.com/x/y.txt?X-Amz-Signature=s") == (
        "s3://bkt/x/y.txt"
    )
    assert s3_uri("https://s3.amazonaws.com/bkt/x/y%20z.txt") == "s3://bkt/x/y z.txt"
    assert s3_uri("https://storage.googleapis.com/bkt/x") == ""


async def test_project_owner_entity_name_and_html(flavor: Flavor, seeded_app: Any) -> None:
    add_run(seeded_app[0].state.store, "demo/p", "r1")
    project = flavor.api.project("p", entity="demo")
    if flavor.is_async:
        with pytest.raises(NotLoadedError):
            _ = project.owner
        await project.load()
    assert project.owner.username == "demo" and project.entity_name == "demo"
    html = project.to_html(height=100)
    assert f'src="{project.url}/workspace?jupyter=true"' in html
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert project.display() is False
        project.sweeps(order="-created_at")
        project.sweeps(order="+created_at")
    assert [str(w.message) for w in caught][1:] == [
        "Project.sweeps(order='-created_at'): sweeps are listed oldest first; the order is "
        "not applied"
    ]
    with pytest.raises(UsageError, match="order must be a string"):
        project.sweeps(order=3)


async def test_runs_length_loads_the_first_page(flavor: Flavor, seeded_app: Any) -> None:
    for name in ("a", "b", "c"):
        add_run(seeded_app[0].state.store, "demo/p", name)
    runs = flavor.api.runs("demo/p", per_page=2)
    if flavor.is_async:
        with pytest.raises(NotLoadedError, match="length needs its first page"):
            _ = runs.length
        await runs.load()
    assert runs.length == 3 and runs.pages_loaded == 1


async def test_settings_read_like_the_official_dict(flavor: Flavor) -> None:
    settings = flavor.api.settings
    assert settings["base_url"] == "http://wandbkit.test" and settings["entity"] is None
    assert set(settings) == {"base_url", "entity", "project", "timeout"}
    assert settings.get("project", "x") is None and "api_key" not in settings
    with pytest.raises(KeyError):
        settings["api_key"]


async def test_summary_update_takes_the_official_arguments(flavor: Flavor, seeded_app: Any) -> None:
    add_run(seeded_app[0].state.store, "demo/p", "r1", summary={"loss": 1.0})
    run = await flavor(flavor.api.run("demo/p/r1"))
    await flavor(run.summary.update(key_vals={" acc ": 0.5, "loss": 0.1}, overwrite=False))
    assert run.summary["acc"] == 0.5 and run.summary["loss"] == 1.0
    await flavor(run.summary.update({"loss": 0.2}))
    fresh = await flavor(flavor.api.run("demo/p/r1"))
    assert dict(fresh.summary) == {"loss": 0.2, "acc": 0.5}
    with pytest.raises(UsageError, match="overwrite must be a bool"):
        await flavor(run.summary.update({"x": 1}, overwrite="no"))
    for member, args in (("open_h5", ()), ("read_h5", ("k",)), ("write_h5", ("k", 1))):
        with pytest.raises(UsageError, match=r"wandb\.h5 files .* are not supported"):
            getattr(run.summary, member)(*args)


async def test_a_summary_prints_as_its_dict_and_the_project_internal_id(
    flavor: Flavor, seeded_app: Any
) -> None:
    # wandb's runs-module example: `print(f"Metrics: {run.summary}")` shows the values.
    add_run(seeded_app[0].state.store, "demo/p", "r1", summary={"loss": 0.5, "eval": {"acc": 1}})
    run = await flavor(flavor.api.run("demo/p/r1"))
    assert f"{run.summary}" == str({"loss": 0.5, "eval": {"acc": 1}})
    assert repr(run.summary).startswith("<Summary of run r1: 2 keys")
    assert isinstance(run.project_internal_id, int)
    assert str(run.project_internal_id) == run.project_id
    with pytest.warns(DeprecationWarning, match="use Run.entity"):
        assert run.username == "demo"
