"""``wandbkit files`` (a run's files) and ``wandbkit download`` (run files or an artifact
version, with a progress bar; each file is streamed to a temporary file, checked against its
size and md5, then renamed, by ``File.download`` / ``Artifact.download``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from wandbkit.cli._common import connection_options, err_console, handle_errors, session
from wandbkit.cli.artifacts import download_artifact, is_artifact_name
from wandbkit.cli.render import write_records

__all__ = ["COMMANDS", "download", "files", "split_run_file"]


def split_run_file(text: str) -> tuple[str, str | None]:
    """``entity/project/run_id[/file/name]`` (or ``.../runs/run_id/...``) as run path and file.

    Raises:
        click.BadParameter: fewer than three segments.
    """
    parts = [part for part in text.strip().strip("/").split("/") if part]
    for prefix in ("https:", "http:"):
        if parts and parts[0] == prefix:
            parts = parts[2:]  # scheme and host of an app URL
    cut = 4 if len(parts) >= 4 and parts[2] == "runs" else 3
    if len(parts) < cut:
        raise click.BadParameter(
            f"{text!r} must be entity/project/run_id, optionally followed by /FILE_NAME",
            param_hint="RUN_FILE",
        )
    name = "/".join(parts[cut:]) or None
    if name is not None and len(parts) > cut + 1 and parts[cut] == "files":
        name = "/".join(parts[cut + 1 :])  # .../runs/<id>/files/<name>, as the app links it
    return "/".join(parts[:cut]), name


FILES_EPILOG = """\b
Examples:
  wandbkit files demo-team/llm-finetune/RUN_ID
  wandbkit files demo-team/llm-finetune/RUN_ID --pattern '%.json' --format json
"""


@click.command("files", epilog=FILES_EPILOG)
@click.argument("path", metavar="PATH")
@click.option("--pattern", metavar="LIKE", help="Only names matching this SQL LIKE pattern.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@connection_options
@handle_errors
def files(path: str, pattern: str | None, fmt: str) -> None:
    """List the files of the run at PATH (entity/project/run_id)."""
    api = session(click.get_current_context()).api()
    found = api.run(path)
    columns = ["name", "size", "mimetype", "updated_at"]
    if fmt != "table":
        columns.append("md5")
    rows = (
        {
            "name": f.name,
            "size": f.size,
            "mimetype": f.mimetype,
            "updated_at": f.updated_at,
            "md5": f.md5,
        }
        for f in found.files(pattern=pattern)
    )
    count = write_records(fmt, columns, rows, sys.stdout)
    if fmt == "table":
        click.echo(f"{count} files in {path}", err=True)


DOWNLOAD_EPILOG = """\b
Examples:
  wandbkit download demo-team/llm-finetune/RUN_ID/config.yaml --root ./out
  wandbkit download demo-team/llm-finetune/RUN_ID --root ./out        # every file
  wandbkit download demo-team/llm-finetune/RUN_ID --pattern '%.png' --root ./out
  wandbkit download demo/cifar10-augment/classifier:v1 --root ./model   # an artifact
"""


@click.command("download", epilog=DOWNLOAD_EPILOG)
@click.argument("run_file", metavar="RUN_FILE_OR_ARTIFACT")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory to download into (file names keep their folders).",
)
@click.option("--pattern", metavar="LIKE", help="Only names matching this SQL LIKE pattern.")
@click.option("--replace", is_flag=True, help="Overwrite files that exist (else they are kept).")
@connection_options
@handle_errors
def download(run_file: str, root: Path, pattern: str | None, replace: bool) -> None:
    """Download a run's file, all of its files, or an artifact version, verified against
    size and md5.

    RUN_FILE_OR_ARTIFACT is entity/project/run_id/FILE_NAME for one file, entity/project/run_id
    for every file of the run (or those matching --pattern), or an artifact version,
    [entity/project/]collection:alias (files already in DIR with the right md5 stay, the
    others are replaced).
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    if is_artifact_name(run_file):
        if pattern is not None:
            raise click.UsageError("--pattern selects run files; an artifact downloads whole")
        download_artifact(session(click.get_current_context()).api(), run_file, root)
        return
    run_path, name = split_run_file(run_file)
    if name is not None and pattern is not None:
        raise click.UsageError("give a file name or --pattern, not both")
    api = session(click.get_current_context()).api()
    found = api.run(run_path)
    chosen = [found.file(name)] if name is not None else list(found.files(pattern=pattern))
    total = sum(f.size for f in chosen)
    kept, written = 0, []
    console = err_console()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # no bar (nor a stray blank line) in logs and pipes
    )
    with progress:
        task = progress.add_task("downloading", total=total)
        for file in chosen:
            progress.update(task, description=file.name)
            # File.download refuses names that leave root; one that exists is kept.
            kept += (root / file.name).exists() and not replace
            written.append(file.download(root, replace=replace, exist_ok=True))
            progress.advance(task, file.size)
    for path in written:
        click.echo(str(path))
    note = f"; {kept} existing kept (--replace to overwrite)" if kept else ""
    click.echo(f"{len(chosen) - kept} of {len(chosen)} files downloaded to {root}{note}", err=True)


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (files, download)
