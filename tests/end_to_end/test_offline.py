"""A build needs no network: run in a network namespace with no interface up, it still works.

``unshare -n`` gives the build a network namespace of its own whose only
interface, loopback, is down: no DNS, no outside address, not even
127.0.0.1. The kernels talk to the build over Unix sockets (IPC transport,
``pipeline/notebook.py``), the figures and fonts are local, and the renderer
fetches nothing, so the report builds exactly as it does online.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("civicpulse-report")


def _unshare() -> list[str]:
    """The unshare command that works here: plain as root, else in a user namespace."""
    tool = shutil.which("unshare")
    if tool is None:
        pytest.skip("unshare (util-linux) is not installed, so no network namespace can be made")
    for argv in ([tool, "-n"], [tool, "-rn"]):
        probe = subprocess.run([*argv, "true"], capture_output=True)
        if probe.returncode == 0:
            return argv
    pytest.skip(
        "this machine refuses new network namespaces (unshare -n and -rn both fail: "
        f"{probe.stderr.decode(errors='replace').strip()})"
    )


def test_a_build_with_no_network_at_all_succeeds(two_la_dir: Path, tmp_path: Path) -> None:
    unshare = _unshare()
    no_network = subprocess.run(
        [
            *unshare,
            sys.executable,
            "-c",
            "import socket; socket.create_connection(('127.0.0.1', 9))",
        ],
        capture_output=True,
        text=True,
    )
    assert no_network.returncode != 0, "the namespace still reaches the network"
    lookup = (two_la_dir / "la_lookup.csv").read_text(encoding="utf-8").splitlines()
    code = lookup[1].split(",")[lookup[0].split(",").index("la_code")]
    out, build = tmp_path / "reports", tmp_path / "build"
    argv = [*unshare, str(CLI), "build", "--data", str(two_la_dir), "--la", code]
    argv += ["--format", "html,pdf", "--renderer", "builtin", "--no-national"]
    argv += ["--out", str(out), "--build-dir", str(build), "--jobs", "1"]
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = next(out.glob(f"*/{code}"))
    for name in ("report.html", "report.pdf", "tables.csv", "manifest.json"):
        assert (folder / name).stat().st_size > 0, name
    assert "1 built" in done.stderr
