"""bigram_matrix (numba, all summaries at once) finds exactly cluster_keys.bigrams of
each text, each once, ids in the bigrams' own order, across block boundaries and odd input."""

from __future__ import annotations

import pytest

from liaison.reports import cluster_grams
from liaison.reports.cluster_grams import bigram_matrix
from liaison.reports.cluster_keys import bigrams

TEXTS = ["", None, "欠薪", "骑手小冯，晚高峰送餐时摔伤。", "a\0b，c  APP扣款3元/单", "，，。", "x", "\0\0ab\0",
         "Ab9Z", "𠀀𠀁中文", "\ud800x\udfffyz", "中", "㐀䶿一鿿ꀀ", "同一句话。同一句话。"]


@pytest.mark.parametrize("block, table, codes", [(1, 2, 1), (3, 4, 2), (1000, 1 << 16, 1 << 12)])
def test_grams_are_the_bigrams_in_their_order(monkeypatch, block, table, codes):
    """Across block boundaries, and with tables that must grow many times mid-text."""
    monkeypatch.setattr(cluster_grams, "BLOCK", block)
    monkeypatch.setattr(cluster_grams, "TABLE", table)
    monkeypatch.setattr(cluster_grams, "CODES", codes)
    indptr, indices = bigram_matrix(TEXTS)
    names = sorted(set().union(*map(bigrams, TEXTS)))
    assert len(indptr) == len(TEXTS) + 1
    for i, text in enumerate(TEXTS):
        row = indices[indptr[i]:indptr[i + 1]].tolist()
        assert len(row) == len(set(row))
        assert {names[n] for n in row} == bigrams(text)


def test_no_text():
    indptr, indices = bigram_matrix([])
    assert indptr.tolist() == [0] and indices.size == 0


def test_many_distinct_grams():
    """Tens of thousands of distinct bigrams (ids four bytes wide), in texts of every length."""
    import random

    rng = random.Random(5)
    pool = [chr(0x4E00 + i) for i in range(600)] + list("，。 ab1")
    texts = ["".join(rng.choices(pool, k=rng.randint(0, 120))) for _ in range(3000)]
    indptr, indices = bigram_matrix(texts)
    names = sorted(set().union(*map(bigrams, texts)))
    assert len(names) > 1 << 16 and indices.dtype.itemsize == 4
    for i, text in enumerate(texts):
        row = indices[indptr[i]:indptr[i + 1]].tolist()
        assert sorted(names[n] for n in row) == sorted(bigrams(text))
