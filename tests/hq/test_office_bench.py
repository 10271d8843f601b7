"""`python -m liaison.bench office` at a tiny size runs every step and prints its table
(correctness only: no figure is asserted)."""

from __future__ import annotations

import subprocess
import sys


def test_office_bench_runs_and_prints_its_table():
    done = subprocess.run([sys.executable, "-m", "liaison.bench", "office", "--records", "600"],
                          capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-2000:]
    for line in ("office benchmark at 600 consultations", "hq ingest", "hq report, XLSX", "hq clusters at 600",
                 "office dashboard: first frame"):
        assert line in done.stdout
