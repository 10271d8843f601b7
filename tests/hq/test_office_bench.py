"""`python -m liaison.bench office` at a tiny size runs every step and prints its table
(correctness only: no figure is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys


def test_office_bench_runs_and_prints_its_table():
    done = subprocess.run([sys.executable, "-m", "liaison.bench", "office", "--records", "600", "--runs", "2"],
                          capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-2000:]
    for line in ("office benchmark at 600 consultations", "hq ingest", "hq report, XLSX", "hq clusters --json at 600",
                 "office dashboard: first frame"):
        assert line in done.stdout
    # --runs 2: each report and the full-size clusters print their median and spread
    assert re.search(r"hq report, text, whole year \(after the unlock\) +\d+\.\d\d s \(\d+\.\d\d-\d+\.\d\d\)",
                     done.stdout), done.stdout
    assert re.search(r"hq clusters --json at 600 \(after the unlock\) +\d+\.\d\d s \(\d+\.\d\d-\d+\.\d\d\)",
                     done.stdout)
    assert re.search(r"hq clusters --json at 600, the first after the ingest \(keeps the cluster view\) +\d+\.\d\d s",
                     done.stdout)
    assert re.search(r"hq clusters at 600, as text \(latest members\) +\d+\.\d\d s \(", done.stdout)
