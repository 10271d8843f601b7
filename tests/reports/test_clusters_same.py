"""The streaming clusters (issue 14: interned bigram ids, features kept per record, a
tighter similarity loop) find exactly what the earlier whole-record version found —
same clusters, same members in the same order, same keys and actions — on the labelled
set, on 3 000 generated records of a city's stations (with deletions and `related_to`
links) and under other windows, thresholds and `since`; and `hq clusters` reads the
office's records as unjoined parts to the same result."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.bench.office_city import station_docs, stations
from liaison.domain.personal import split
from liaison.reports.cluster_keys import bigram_ids, bigrams
from liaison.reports.clusters import _Ids, find_clusters, find_clusters_parts
from tests.reports.clusters_reference import find_clusters as reference
from tests.reports.test_clusters import _labelled


def _dicts(clusters) -> list[dict]:
    return [c.to_dict() for c in clusters]


def _city(n: int = 3000) -> list[dict]:
    every = stations()[:12]
    docs = [d for k, (sid, code, kind) in enumerate(every)
            for d in station_docs(sid, code, kind, n // len(every), seed=k, end=date(2026, 11, 20))]
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
    parts = [split(d) for d in reversed(city)]
    assert _dicts(find_clusters_parts(parts)) == _dicts(reference(city))


@pytest.mark.parametrize("text", ["", None, "欠薪", "骑手小冯，晚高峰送餐时摔伤。", "a\0b，c  APP扣款3元/单", "，，。", "x"])
def test_bigram_ids_are_the_bigrams(text):
    ids = _Ids()
    got = bigram_ids(text, ids)
    names = {n: g for g, n in ids.items()}
    assert len(got) == len(set(got)) and {names[n] for n in got} == bigrams(text)
