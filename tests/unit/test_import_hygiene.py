"""The architecture rules, checked: domain is pure, only store imports tinydb, only tui
imports textual, and the CLI, store and domain load without textual (the nightly job
must run on a machine state where the UI is never loaded)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "liaison"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    return names


def _offenders(top: str, allowed_dir: str) -> list[str]:
    bad = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] == allowed_dir:
            continue
        if any(n == top or n.startswith(top + ".") for n in _imports(path)):
            bad.append(str(rel))
    return bad


def test_only_store_imports_tinydb():
    assert _offenders("tinydb", "store") == []


def test_only_tui_imports_textual():
    assert _offenders("textual", "tui") == []


def test_domain_imports_nothing_of_ours_outside_domain():
    bad = []
    for path in (PKG / "domain").rglob("*.py"):
        for name in _imports(path):
            if name.startswith("..") or name.startswith("liaison.") and not name.startswith("liaison.domain"):
                bad.append(f"{path.name}: {name}")
    assert bad == []


def test_cli_store_domain_load_without_textual():
    code = ("import sys, liaison.cli, liaison.store, liaison.domain.intake, liaison.cli.record_cmds, "
            "liaison.cli.station_cmds, liaison.cli.demo_cmd\n"
            "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
