"""bigram_matrix (numpy, all summaries at once) finds exactly cluster_keys.bigrams of
each text, ids in the bigrams' own order, across block boundaries and odd input."""

from __future__ import annotations

import pytest

from liaison.reports import cluster_grams
from liaison.reports.cluster_grams import bigram_matrix
from liaison.reports.cluster_keys import bigrams

TEXTS = ["", None, "欠薪", "骑手小冯，晚高峰送餐时摔伤。", "a\0b，c  APP扣款3元/单", "，，。", "x", "\0\0ab\0",
         "Ab9Z", "𠀀𠀁中文", "\ud800x\udfffyz", "中", "㐀䶿一鿿ꀀ", "同一句话。同一句话。"]


@pytest.mark.parametrize("block", [1, 3, 1000])
def test_grams_are_the_bigrams_in_their_order(monkeypatch, block):
    monkeypatch.setattr(cluster_grams, "BLOCK", block)
    indptr, indices = bigram_matrix(TEXTS)
    names = sorted(set().union(*map(bigrams, TEXTS)))
    assert len(indptr) == len(TEXTS) + 1
    for i, text in enumerate(TEXTS):
        row = indices[indptr[i]:indptr[i + 1]].tolist()
        assert row == sorted(set(row))
        assert {names[n] for n in row} == bigrams(text)


def test_no_text():
    indptr, indices = bigram_matrix([])
    assert indptr.tolist() == [0] and indices.size == 0
