"""``api.sync_tensorboard(root_dir)``: TensorBoard scalars become a run's history, in both
flavours. The event files are written here, in the two scalar forms TensorBoard knows (TF1's
``simple_value``, TF2's scalar tensors), by TensorBoard's own writer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from wandbkit.errors import UsageError

from ..support import Flavor

tensorboard = pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")

from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402
from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

START = 1_700_000_000.0


def write_events(directory: Path, scalars: list[tuple[int, str, float]], *, tensor: bool) -> None:
    """An event file in ``directory`` with ``(step, tag, value)`` scalars."""
    writer = EventFileWriter(str(directory))
    for step, tag, number in scalars:
        if tensor:  # tf.summary.scalar in TF2: a float tensor with the scalars plugin
            metadata = summary_pb2.SummaryMetadata(
                plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
            )
            value = summary_pb2.Summary.Value(
                tag=tag, metadata=metadata, tensor=tensor_util.make_tensor_proto(number)
            )
        else:
            value = summary_pb2.Summary.Value(tag=tag, simple_value=number)
        event = event_pb2.Event(
            wall_time=START + step, step=step, summary=summary_pb2.Summary(value=[value])
        )
        writer.add_event(event)
    writer.close()


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    root = tmp_path / "tb"
    (root / "train").mkdir(parents=True)
    (root / "eval").mkdir()
    write_events(
        root / "train",
        [(step, "loss", 1 / (step + 1)) for step in range(50)]
        + [(step, "lr", 0.5) for step in range(50)],
        tensor=False,
    )
    write_events(
        root / "eval", [(step, "acc", step / 50) for step in range(0, 50, 10)], tensor=True
    )
    write_events(root, [(49, "final", math.inf)], tensor=False)
    return root


async def test_scalars_become_one_history_row_per_step(
    flavor: Flavor, seeded_app: tuple[Any, Any], logs: Path
) -> None:
    run = await flavor(flavor.api.sync_tensorboard(logs, run_id="from-tb", project="tb"))
    assert run.id == "from-tb" and run.state == "finished"
    rows = await flavor.list(run.scan_history())
    assert [row["_step"] for row in rows] == list(range(50))
    assert rows[3]["train/loss"] == pytest.approx(1 / 4) and rows[3]["train/lr"] == 0.5
    assert rows[10]["eval/acc"] == pytest.approx(0.2) and "eval/acc" not in rows[11]
    assert rows[49]["final"] == math.inf
    assert rows[7]["global_step"] == 7 and rows[7]["_timestamp"] == START + 7
    assert rows[7]["_runtime"] == 7
    assert run.summary["train/loss"] == pytest.approx(1 / 50)


async def test_a_directory_without_event_files_is_refused_before_any_request(
    flavor: Flavor, tmp_path: Path
) -> None:
    flavor.transport.clear()
    with pytest.raises(UsageError, match="no TensorBoard event files"):
        await flavor(flavor.api.sync_tensorboard(tmp_path))
    with pytest.raises(UsageError, match="root_dir"):
        await flavor(flavor.api.sync_tensorboard(tmp_path / "missing"))
    assert flavor.transport.requests == []
