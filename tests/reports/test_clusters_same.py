"""The fast clusters (issue 14: features as columns, compiled bigrams and similarity
loop) find exactly what the earlier whole-record version found —
same clusters, same members in the same order, same keys and actions — on the labelled
set, on 3 000 generated records of a city's stations (with deletions and `related_to`
links) and under other windows, thresholds and `since`; and the features of unjoined
parts, in any order, as the office's index gives them, to the same result."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.bench.office_city import station_docs, stations
from liaison.domain.personal import split
from liaison.reports.cluster_features import of_parts
from liaison.reports.clusters import columns, find_clusters, find_clusters_columns
from tests.reports.clusters_reference import find_clusters as reference
from tests.reports.test_clusters import _labelled


def _dicts(clusters) -> list[dict]:
    return [c.to_dict() for c in clusters]


def _city(n: int = 3000) -> list[dict]:
    every = stations()[:12]
    latest = {d["id"]: d for k, (sid, code, kind) in enumerate(every)  # a store keeps an edit's last version
              for d in station_docs(sid, code, kind, n // len(every), seed=k, end=date(2026, 11, 20))}
    docs = list(latest.values())
    for k, d in enumerate(docs):
        if k % 97 == 0:
            d["deleted"] = True
        if k % 41 == 0 and k > 3:  # an officer's "one matter" link to an earlier visit of the station
            d["related_to"] = [docs[k - 3]["ref"], "NO-SUCH-REF"]
    return docs


@pytest.fixture(scope="module")
def city() -> list[dict]:
    return _city()


def test_labelled_set_is_found_the_same():
    recs, _ = _labelled()
    assert _dicts(find_clusters(recs)) == _dicts(reference(recs))
    for window in (1, 14, 400):
        assert _dicts(find_clusters(recs, window_days=window)) == _dicts(reference(recs, window_days=window))


@pytest.mark.parametrize("kw", [{}, {"window_days": 7}, {"window_days": 365}, {"threshold": 0.3},
                                {"threshold": 0.6}, {"since": "2026-06-01"}])
def test_generated_city_is_found_the_same(city, kw):
    want = _dicts(reference(city, **kw))
    assert want and any(len(c["members"]) > 2 for c in want)  # the set exercises real clusters
    assert _dicts(find_clusters(city, **kw)) == want


def test_parts_in_any_order_give_the_same(city):
    """As the office's index gives them: each record's clear and personal parts' features, in no order."""
    parts = [split(d) for d in reversed(city)]
    cols = columns(of_parts(c, p) for c, p in parts if not c.get("deleted"))
    assert _dicts(find_clusters_columns(cols)) == _dicts(reference(city))
