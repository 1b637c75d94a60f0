"""`make demo`: start the local W&B server with demo data and show what wandbkit does with it.

Everything runs on loopback: a fresh SQLite database under ``.demo/``, the server started with
``wandbkit server``, and the client configured only through the two lines that
``wandbkit server seed`` prints, exactly as a user would do it in a shell.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
#: Where the demo writes (its database, downloads, export and plots); WANDBKIT_DEMO_DIR moves it.
DEMO_DIR = Path(os.environ.get("WANDBKIT_DEMO_DIR") or ROOT / ".demo").resolve()


def _shown(path: Path | str) -> str:
    """``path`` relative to the checkout when it is inside it (as a user would type it)."""
    full = Path(path).resolve()
    return str(full.relative_to(ROOT)) if full.is_relative_to(ROOT) else str(full)


# The console script installed beside this interpreter, as a user would run it.
WANDBKIT = [str(Path(sys.executable).parent / "wandbkit")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _title(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m")


@contextlib.contextmanager
def demo_server() -> Iterator[dict[str, str]]:
    """Seed a fresh database, start the server on a free port, yield the client's env."""
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir()
    db = DEMO_DIR / "server.db"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    seeded = subprocess.run(
        [*WANDBKIT, "server", "seed", "--db", str(db), "--demo", "--base-url", base_url],
        check=True,
        capture_output=True,
        text=True,
    )
    env = dict(line.split("=", 1) for line in seeded.stdout.splitlines() if "=" in line)
    print(f"$ wandbkit server seed --db {_shown(db)} --demo")
    for key in env:
        shown = "<40 hex chars, hidden>" if key == "WANDB_API_KEY" else env[key]
        print(f"  {key}={shown}")
    log = (DEMO_DIR / "server.log").open("w")
    server = subprocess.Popen(
        [
            *WANDBKIT,
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db),
            "--history-exports-delay",
            "0",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the demo server did not start; see {DEMO_DIR / 'server.log'}")
            time.sleep(0.1)
        print(
            f"$ wandbkit server --port {port} --db {_shown(db)} --history-exports-delay 0"
            "   (running)"
        )
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def show_sync() -> None:
    """The drop-in surface: the same calls as ``wandb.Api()``."""
    import wandbkit

    api = wandbkit.Api()  # configured from WANDB_API_KEY / WANDB_BASE_URL; no request yet
    print(f"api = wandbkit.Api()          -> {api!r}")

    _title("The viewer (typed User)")
    me = api.viewer
    print(f"api.viewer                   -> {me!r}")
    print(f"  username={me.username!r} email={me.email!r} teams={me.teams}")
    print(f"api.default_entity           -> {api.default_entity!r}")

    _title("Projects of each entity (lazy relay paginator, 2 per page)")
    for entity in [me.username, *me.teams]:
        projects = api.projects(entity, per_page=2)
        print(f"api.projects({entity!r}):")
        for project in projects:
            created = project.created_at.date().isoformat()
            print(f"  {project.entity}/{project.name:<22} created {created}  {project.description}")
        print(f"  ({len(projects.objects)} projects in {projects.pages_loaded} requests)")

    _title("One project, lazily")
    first_team = me.teams[0]
    project = api.project("llm-finetune", entity=first_team)
    print(f"api.project('llm-finetune', entity={first_team!r}) -> {project!r}  (no request yet)")
    print(f"  project.id         -> {project.id!r}   (one GetProject request)")
    print(f"  project.url        -> {project.url}")
    print(f"  project.user       -> {project.user!r}")
    print(
        f"  api.from_path('{first_team}/llm-finetune') == project -> "
        f"{api.from_path(f'{first_team}/llm-finetune') == project}"
    )

    _title("Create a project")
    created = api.create_project(
        "demo-created", entity=me.username, description="made by make demo"
    )
    print(
        f"api.create_project('demo-created') -> {created!r} "
        f"created_at={created.created_at:%Y-%m-%d}"
    )

    _title("Honest errors")
    for label, action in (
        ("api.from_path('a/b/c/d')", lambda: api.from_path("a/b/c/d")),
        ("api.projects(per_page=0)", lambda: api.projects(per_page=0)),
        ("api.project('nope').id", lambda: api.project("nope").id),
    ):
        try:
            action()
        except wandbkit.WandbkitError as exc:
            print(f"{label:<28} -> {type(exc).__name__}: {exc}")
    bad = wandbkit.Api(api_key="0" * 40)
    try:
        _ = bad.viewer
    except wandbkit.AuthenticationError as exc:
        print(f"{'Api(api_key=wrong).viewer':<28} -> {type(exc).__name__}: {exc}")


def _spark(values: list[float], width: int = 40) -> str:
    """A one-line chart of ``values`` (min to max mapped onto eight block heights)."""
    if not values:
        return ""
    step = max(len(values) / width, 1)
    picked = [values[int(i * step)] for i in range(min(width, len(values)))]
    low, high = min(picked), max(picked)
    blocks = "▁▂▃▄▅▆▇█"
    span = (high - low) or 1.0
    return "".join(blocks[int((v - low) / span * (len(blocks) - 1))] for v in picked)


def show_runs() -> None:
    """Runs: server-side filters and order, lazy pages, history, files, edits."""
    import pyarrow.parquet as pq

    import wandbkit

    api = wandbkit.Api()
    entity = api.default_entity
    path = f"{entity}/cifar10-augment"

    _title(f"Runs of {path}: finished, lr <= 0.01, best val_acc first")
    runs = api.runs(
        path, {"state": "finished", "config.lr": {"$lte": 0.01}}, "-summary_metrics.val_acc"
    )
    print(f"len(runs) = {len(runs)}   (the server's count; one request so far)")
    for run in runs:
        acc = run.summary.get("val_acc")
        print(
            f"  {run.id}  {run.name or '':<26} lr={run.config['lr']:<7} "
            f"opt={run.config.get('optimizer', '?'):<6} val_acc={acc:.4f}"
        )
    print("  (lazy listing: config and summary came for the whole page in one extra request)")

    best = runs[0]
    _title(f"One run: {best.id} ({best.name})")
    print(
        f"  state={best.state.value} created_at={best.created_at:%Y-%m-%d %H:%M} tags={best.tags}"
    )
    print(f"  url={best.url}")
    sampled = best.history(samples=200, keys=["val_acc"], pandas=False)
    curve = [row["val_acc"] for row in sampled]
    print(f"  val_acc over {len(sampled)} sampled rows: {_spark(curve)}")
    scan = best.scan_history(keys=["loss"], page_size=250)
    losses = [row["loss"] for row in scan]
    print(f"  scan_history(keys=['loss']): {len(losses)} rows in {scan.pages_read} pages")
    print(f"  loss: {_spark(losses)}  {losses[0]:.3f} -> {losses[-1]:.3f}")
    files = best.files()
    print(f"  files ({len(files)}): {', '.join(f'{f.name} ({f.size} B)' for f in files)}")
    target = DEMO_DIR / "downloads"
    config_file = best.file("config.yaml")
    saved = config_file.download(root=target, replace=True)
    print(f"  downloaded {_shown(saved)} (size and md5 verified, written atomically)")

    exported = best.download_history_exports(target / "history-exports")
    rows = sum(pq.read_metadata(path).num_rows for path in exported.paths)
    print(
        f"  download_history_exports: {len(exported.paths)} parquet file(s), {rows} rows "
        f"(the server exported the finished run's history; live data: "
        f"{exported.contains_live_data})"
    )

    logs = best.console_logs(last=3)
    tail = list(logs)
    print(f"  console_logs(last=3): the last {len(tail)} of {logs.line_count} lines, one request")
    for line in tail:
        when = f"{line.timestamp:%H:%M:%S}" if line.timestamp else "--:--:--"
        print(f"    {line.number:>4} {when} {line.content}")
    failed = api.runs(path, {"state": {"$in": ["failed", "crashed"]}}, per_page=1)
    if len(failed):
        broken = failed[0]
        errors = [line.content for line in broken.console_logs() if line.level == "error"]
        print(f"  {broken.id} ({broken.state.value}) wrote to stderr: {errors[-1]!r}")
        print(f"  update_state('pending') -> {broken.update_state('pending')}  (requeued)")

    _title("Edit a run: tags, notes, config and summary in one update()")
    best.tags.append("demo-pick")
    best.notes = "picked by make demo"
    best.summary["demo_score"] = 0.99
    best.update()
    again = api.run(f"{path}/{best.id}")
    print(f"  tags={again.tags} notes={again.notes!r} demo_score={again.summary['demo_score']}")

    team = api.viewer.teams[0]
    _title(f"Team {team}")
    members = api.team(team).members
    print("  members: " + ", ".join(f"{m.username} ({m.role})" for m in members))

    _title(f"Sweeps of {team}/diffusion-sweeps")
    for sweep in api.project("diffusion-sweeps", entity=team).sweeps():
        best = sweep.best_run()
        metric = sweep.config["metric"]
        print(
            f"  {sweep.id} {sweep.name:<28} {sweep.method}/{sweep.state:<8} "
            f"{sweep.run_count} runs, {metric['goal']} {metric['name']}: best run "
            f"{best.id if best else '-'} ({sweep.order})"
        )

    _title("Bad filters fail before any request")
    for label, call in (
        (
            "filters={'config.lr': {'$gte2': 1}}",
            lambda: api.runs(path, {"config.lr": {"$gte2": 1}}),
        ),
        ("order='+no_such_field'", lambda: api.runs(path, order="+no_such_field")),
    ):
        try:
            call()
        except wandbkit.UsageError as exc:
            print(f"  {label:<36} -> UsageError: {exc}")


def show_cli_and_plots() -> None:
    """The command line (runs, export) and PNG plots of the best runs' loss curves."""
    import wandbkit

    api = wandbkit.Api()
    path = f"{api.default_entity}/cifar10-augment"
    env = {**os.environ, "COLUMNS": "110"}

    def wandbkit_cli(*args: str) -> None:
        print(f"$ wandbkit {' '.join(args)}")
        subprocess.run([*WANDBKIT, *args], check=True, env=env)

    _title("The command line: the same library, from a shell")
    wandbkit_cli(
        "runs", path, "-f", "state=finished", "--order", "-summary.val_acc", "--limit", "5",
        "--columns", "id,name,config.lr,config.optimizer,summary.val_acc",
    )  # fmt: skip
    export_dir = DEMO_DIR / "export"
    wandbkit_cli("export", path, "--out", _shown(export_dir))
    files = sorted((export_dir / "history").glob("*.parquet"))
    print(f"  {len(files)} history files + runs/part-0.parquet + manifest.json in {export_dir}")

    _title("Plots of the best runs' loss curves (matplotlib, the 'plots' extra)")
    try:
        from wandbkit.plots import plot_histories
    except ImportError:  # pragma: no cover - the module itself needs nothing
        return
    best = list(api.runs(path, {"state": "finished"}, "-summary_metrics.val_acc", per_page=5))[:5]
    histories = {f"{run.name} ({run.id})": list(run.scan_history(keys=["loss"])) for run in best}
    try:
        chart = plot_histories(
            histories, "loss", DEMO_DIR / "plots" / "best-runs-loss.png",
            title=f"loss of the {len(best)} best runs of {path} (by val_acc)",
        )  # fmt: skip
    except wandbkit.UsageError as exc:
        print(f"  skipped: {exc}")
        return
    print(f"  wrote {chart}")
    one = DEMO_DIR / "plots" / f"{best[0].id}.png"
    wandbkit_cli("history", f"{path}/{best[0].id}", "--plot", _shown(one))
    print(f"  open {chart} and {one}")


async def show_async() -> None:
    """The same surface for asyncio: concurrent pages, awaitable properties."""
    import wandbkit

    _title("AsyncApi: the same surface, concurrently")
    async with wandbkit.AsyncApi() as api:
        me = await api.viewer
        entities = [me.username, *me.teams]
        started = time.perf_counter()
        lists = await asyncio.gather(*(api.projects(e).to_list() for e in entities))
        elapsed = (time.perf_counter() - started) * 1000
        for entity, projects in zip(entities, lists, strict=True):
            print(f"  {entity:<12} {[p.name for p in projects]}")
        print(f"  ({len(entities)} entities listed concurrently in {elapsed:.0f} ms)")
        features = await api.server_features()
        print(f"  server features: {sorted(k for k, v in features.items() if v)}")
        runs = api.runs(f"{me.username}/cifar10-augment")
        started = time.perf_counter()
        rows = await runs.histories(samples=100, keys=["val_acc"])
        elapsed = (time.perf_counter() - started) * 1000
        count = len({row["run_id"] for row in rows})  # type: ignore[index]
        print(f"  runs.histories(): {len(rows)} rows of {count} runs in {elapsed:.0f} ms")


async def show_hardening() -> None:
    """The local server under injected faults and hostile input (in-process, its own data)."""
    import wandbkit
    from wandbkit.errors import NotFoundError
    from wandbkit.server.faults import Fault
    from wandbkit.server.testing import add_run, asgi_transport, make_seeded_app

    _title("The local server under faults and hostile input")
    app, seed = make_seeded_app()
    store, faults = app.state.store, app.state.faults
    for i in range(60):
        add_run(store, f"{seed.entity}/flaky", f"run-{i:02d}", config={"i": i})
    add_run(store, f"{seed.entity}/flaky", "a" * 40)
    faults.add(Fault.status(502, retry_after=0.01), rate=0.3)
    faults.add(Fault.drop(), rate=0.1)
    base = {"base_url": "http://demo.local", "transport": asgi_transport(app)}
    async with wandbkit.AsyncApi(api_key=seed.api_key, max_retries=8, **base) as api:
        started = time.perf_counter()
        names = [run.name async for run in api.runs(f"{seed.entity}/flaky", per_page=3)]
        elapsed = time.perf_counter() - started
        print(
            f"  30% 502s + 10% dropped connections: {len(names)} runs listed, "
            f"{len(set(names))} distinct, through {len(faults.injected)} injected faults "
            f"in {elapsed:.1f} s"
        )
        faults.clear()
        started = time.perf_counter()
        hostile = api.runs(f"{seed.entity}/flaky", filters={"name": {"$regex": "^(a+)+$"}})
        matched = [run.name async for run in hostile]
        elapsed = (time.perf_counter() - started) * 1000
        print(
            f"  $regex '^(a+)+$' (exponential for a backtracking engine): {len(matched)} match, "
            f"{elapsed:.0f} ms on RE2"
        )
    outsider = store.accounts.create_user("outsider")
    key, _ = store.accounts.create_api_key(outsider.pk)
    async with wandbkit.AsyncApi(api_key=key, **base) as api:
        try:
            await api.project("flaky", entity=seed.entity).load()
        except NotFoundError as exc:
            print(f"  another user asks for the private project: NotFoundError: {exc}")


def show_where_next() -> None:
    """The URL to open, and how to point the same commands at W&B."""
    import wandbkit

    api = wandbkit.Api()
    entity = api.default_entity
    url = api.project("cifar10-augment", entity=entity).url
    _title("Where next")
    print(f"  Open {url} in a browser (the local web view) while the server runs:")
    print(f"  `make demo KEEP=1`, or `wandbkit server --db {_shown(DEMO_DIR / 'server.db')}`.")
    print("  The same code and commands against W&B: unset WANDB_BASE_URL (or set it to your")
    print("  W&B server) and set WANDB_API_KEY to your key from https://wandb.ai/authorize;")
    print(f"  then e.g. `wandbkit runs {entity}/cifar10-augment --limit 5` reads your project.")


def show_automations_and_launch() -> None:
    """An automation that fires (a webhook to a receiver on loopback), and a launch queue."""
    import wandbkit
    from wandbkit.automations import OnRunMetric, RunEvent, SendWebhook
    from wandbkit.server.testing import webhook_receiver

    api = wandbkit.Api()
    entity = api.default_entity
    project = api.project("scratch", entity=entity)
    _title("Automations: the seeded ones, and one that fires")
    for automation in api.automations(entity=entity):
        print(f"  {automation!r}")
    with webhook_receiver() as receiver:
        hook = api.create_webhook_integration("demo-receiver", receiver.url, entity=entity)
        print(
            f"  webhook integration {hook.name!r} -> {hook.url_endpoint} (a receiver on loopback)"
        )
        event = OnRunMetric(scope=project, filter=RunEvent.metric("loss") > 10)
        action = SendWebhook.from_integration(
            hook, payload={"text": "${run_name}: ${metric_name} = ${metric_value}"}
        )
        alarm = api.create_automation(event >> action, name="loss-exploded")
        print(f"  api.create_automation(...) -> {alarm!r}")
        run = api.runs(f"{entity}/scratch")[0]
        run.summary["loss"] = 42.0
        run.update()
        print(f"  run {run.id}: summary['loss'] = 42.0; run.update()")
        [firing] = api.automation_firings(entity, automation=alarm, wait_for=1)
        print(f"  api.automation_firings(...) -> {firing!r}")
        print(f"  the receiver got: {receiver.bodies}")

    team = api.viewer.teams[0]
    _title(f"Launch: the run queue {team}/gpu-a100 and the job job-train-lora")
    queue = api.run_queue(team, "gpu-a100")
    print(
        f"  {queue.load()!r}  template variables: {[v['name'] for v in queue.template_variables]}"
    )
    job = api.job(f"{team}/llm-finetune/job-train-lora:latest", path=str(DEMO_DIR / "job"))
    print(f"  {job!r}: {' '.join(job.entrypoint or [])}")
    queued = job.call(
        {"lr": 1e-4, "lora_rank": 32, "epochs": 2},
        queue="gpu-a100",
        entity=team,
        template_variables={"gpus": 4},
        priority=0,
    )
    print(f"  job.call(..., template_variables={{'gpus': 4}}, priority=0) -> {queued!r}")
    for item in queue.items:
        print(f"    {item.id}  {item.state:<8} priority {item.priority}")
    env = {**os.environ, "COLUMNS": "110"}
    print(f"$ wandbkit queues show {team}/gpu-a100 --format json   (its items' states:)")
    shown = subprocess.run(
        [*WANDBKIT, "queues", "show", f"{team}/gpu-a100", "--format", "json"],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    import json

    states = [item["state"] for item in json.loads(shown.stdout)[0]["items"]]
    print(f"  {states}")


def show_artifacts() -> None:
    """An artifact download, verified, and a registry search."""
    import wandbkit

    api = wandbkit.Api()
    entity = api.default_entity
    _title("Artifacts and registries")
    art = api.artifact(f"{entity}/cifar10-augment/classifier:production")
    root = art.download(root=str(DEMO_DIR / "classifier"))
    art.verify(root)
    print(f"  {art!r}: {len(art.files())} files, {art.size} bytes -> {_shown(root)}")
    print("  art.verify(root): every file's md5 matches the manifest")
    for version in api.registries().versions(filter={"alias": "production"}):
        print(f"  registry search alias=production: {version.qualified_name}")


def main() -> int:
    keep = "--keep" in sys.argv[1:] or os.environ.get("KEEP") == "1"
    with demo_server() as env:
        os.environ.update(env)
        for key in ("WANDB_ENTITY", "WANDB_PROJECT"):
            os.environ.pop(key, None)
        show_sync()
        show_runs()
        show_artifacts()
        show_automations_and_launch()
        show_cli_and_plots()
        asyncio.run(show_async())
        asyncio.run(show_hardening())
        show_where_next()
        if keep:
            print(f"\nThe server keeps running at {env['WANDB_BASE_URL']}; Ctrl-C stops it.")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    print(f"\nDone. The server has stopped; its data is in {_shown(DEMO_DIR / 'server.db')}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
