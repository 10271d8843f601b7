"""`hq clusters --json` writes its clusters a few thousand members at a time: the text
is exactly print_json's of the whole result, whatever the chunk size."""

from __future__ import annotations

import contextlib
import io

import pytest

from liaison.cli import hq_clusters
from liaison.cli.output import print_json
from liaison.reports.clusters import find_clusters
from tests.reports.test_clusters import _labelled


def _printed(fn, *args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args)
    return out.getvalue()


@pytest.mark.parametrize("chunk", [1, 2, 1000])
@pytest.mark.parametrize("window", [90, 1])
def test_streamed_json_is_print_json(monkeypatch, chunk, window):
    monkeypatch.setattr(hq_clusters, "_CHUNK", chunk)
    clusters = find_clusters(_labelled()[0], window_days=window)
    head = {"window_days": window, "since": None, "threshold": 0.4}
    assert _printed(hq_clusters._print_clusters_json, head, clusters) == \
        _printed(print_json, {**head, "clusters": [k.to_dict() for k in clusters]})


def test_no_clusters_is_print_json():
    head = {"window_days": 90, "since": "2026-01-01", "threshold": 0.4}
    assert _printed(hq_clusters._print_clusters_json, head, []) == _printed(print_json, {**head, "clusters": []})
