"""``make demo`` (``tools/demo.py``) completes on a fresh directory, and leaves what it says:
the PNG plots, the verified artifact download, the export, an automation that fired to a
receiver on loopback, a queue tour, and the URL to open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_completes_and_leaves_its_plots(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plots extra")
    pytest.importorskip("pyarrow", reason="the parquet extra")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WANDB")},
        "WANDBKIT_DEMO_DIR": str(tmp_path / "demo"),
        "PYTHONPATH": str(ROOT / "src"),
        "NETRC": str(tmp_path / "netrc"),
        "MPLBACKEND": "Agg",
        "WANDBKIT_PROGRESS": "0",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    plots = sorted((tmp_path / "demo" / "plots").glob("*.png"))
    assert len(plots) == 2 and all(p.stat().st_size > 10_000 for p in plots)
    assert (tmp_path / "demo" / "export" / "manifest.json").is_file()
    assert "every file's md5 matches the manifest" in out
    assert "registry search alias=production: demo-org/wandb-registry-model/classifier" in out
    assert "DELIVERED, 1 attempt, HTTP 200>" in out
    assert "the receiver got: [{'text': '" in out
    assert "['claimed', 'failed', 'pending', 'pending']" in out
    assert "/demo/cifar10-augment in a browser" in out and "http://127.0.0.1:" in out
    assert "WANDB_API_KEY" in out and "The server has stopped" in out
