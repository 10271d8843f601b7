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


def _printed(fn, *args, stream: str = "text") -> str:
    """What fn prints, on a text-only stream or on a UTF-8 one with a byte buffer
    beneath (as a terminal or pipe is: the clusters' bytes go to the buffer), after a
    line already waiting in the text layer, which must come first."""
    if stream == "text":
        out: io.TextIOBase = io.StringIO()
    else:
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
    with contextlib.redirect_stdout(out):
        print("先行 first")
        fn(*args)
    if stream == "text":
        return out.getvalue()
    out.flush()
    return raw.getvalue().decode()


@pytest.mark.parametrize("chunk", [1, 2, 1000])
@pytest.mark.parametrize("window", [90, 1])
@pytest.mark.parametrize("stream", ["text", "utf8-bytes"])
def test_streamed_json_is_print_json(monkeypatch, chunk, window, stream):
    monkeypatch.setattr(hq_clusters, "_CHUNK", chunk)
    clusters = find_clusters(_labelled()[0], window_days=window)
    head = {"window_days": window, "since": None, "threshold": 0.4}
    assert _printed(hq_clusters._print_clusters_json, head, clusters, stream=stream) == \
        _printed(print_json, {**head, "clusters": [k.to_dict() for k in clusters]}, stream=stream)


def test_no_clusters_is_print_json():
    head = {"window_days": 90, "since": "2026-01-01", "threshold": 0.4}
    assert _printed(hq_clusters._print_clusters_json, head, []) == _printed(print_json, {**head, "clusters": []})
