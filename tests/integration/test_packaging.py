"""Building the package is quiet: the license is an SPDX expression, as setuptools now wants."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_builds_without_the_license_deprecation(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    warnings = [
        line for line in (build.stdout + build.stderr).lower().splitlines() if "deprecat" in line
    ]
    assert not [line for line in warnings if "license" in line]
    (wheel,) = tmp_path.glob("callcenter-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith("METADATA"))
        text = archive.read(metadata).decode()
    assert "License-Expression: MIT" in text
    assert "Requires-Dist: swagger-ui-bundle-v2" in text
    assert "callcenter/web/desktop.html" in zipfile.ZipFile(wheel).namelist()


def test_screenshots_script_runs_from_any_python() -> None:
    """The README's `python3 scripts/screenshots.py` works outside the venv (it re-runs itself)."""
    outside = [
        p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if Path(p).is_file()
    ]  # an interpreter that is not the project's venv
    python = outside[0] if outside else sys.executable
    run = subprocess.run(
        [python, str(ROOT / "scripts" / "screenshots.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert run.returncode == 0, run.stderr
    assert "--warmup" in run.stdout
