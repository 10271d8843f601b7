"""sync/ builds on security/, never the reverse: a security module importing liaison.sync
made a package cycle that sync/bundle.py had to dodge with a late import (issue 15)."""

from __future__ import annotations

import ast
from pathlib import Path

import liaison.security

PACKAGE = Path(liaison.security.__file__).parent


def _imported(source: str, package: str) -> set[str]:
    """Every module `source` (a module of `package`) names in an import, anywhere in it:
    a late import inside a function counts."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)  # `from .. import sync`
    return out


def _sync(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m == "liaison.sync" or m.startswith("liaison.sync."))


def test_every_spelling_of_an_import_of_sync_is_seen():
    for line in ("from ..sync.keys import b64d", "from ..sync import keys", "from .. import sync",
                 "import liaison.sync.keys", "from liaison.sync import keys",
                 "def f():\n    from ..sync.keys import b64d"):
        assert _sync(_imported(line, "liaison.security")), line
    assert not _sync(_imported("from .keys import b64d\nfrom ..store import Store", "liaison.security"))


def test_no_security_module_imports_sync():
    offenders = {path.name: _sync(_imported(path.read_text(encoding="utf-8"), "liaison.security"))
                 for path in sorted(PACKAGE.glob("*.py"))}
    assert {name: found for name, found in offenders.items() if found} == {}
