"""Every summary's character bigrams at once, as a CSR matrix of bigram ids (numba).

The same grams as `cluster_keys.bigrams` — pairs of adjacent characters that are both
CJK / alphanumeric (cluster_keys._NOISE) — found in one compiled pass over the
summaries' UTF-32 code points: each text's pair codes (two 21-bit code points in one
int) are sorted and deduplicated in a small buffer, and each distinct code gets an id
from a hash table kept across blocks. Sorting every pair of 600 000 summaries at once
in numpy (the earlier way) was a sixth of `hq clusters`. A bigram's final id is its
rank among all bigrams seen, in code-point order, which is the order of the bigram
strings themselves (the rarest-first order's tie-break relies on it); ranking keeps
each row ascending, as the similarity kernel's merge needs.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numba import njit
from numpy.typing import NDArray

BLOCK = 50_000  # summaries per pass: bounds the temporary arrays (~25 MB at 60 chars each)
_EMPTY = -1


@njit(cache=True, nogil=True)
def _kept(c: int) -> bool:
    """Not noise: [0-9A-Za-z\\u3400-\\u9fff] (cluster_keys._NOISE removes the rest)."""
    return (0x30 <= c <= 0x39) or (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A) or (0x3400 <= c <= 0x9FFF)


@njit(cache=True, nogil=True)
def _grow(slots, ids):
    bigger, bigger_ids = np.full(slots.size * 2, _EMPTY, np.int64), np.empty(slots.size * 2, np.int32)
    mask = bigger.size - 1
    for s in range(slots.size):
        code = slots[s]
        if code != _EMPTY:
            h = (code * 0x9E3779B97F4A7C15) >> 40 & mask
            while bigger[h] != _EMPTY:
                h = (h + 1) & mask
            bigger[h], bigger_ids[h] = code, ids[s]
    return bigger, bigger_ids


@njit(cache=True, nogil=True)
def _block(cp, lengths, slots, ids, codes, n_codes):
    """(grams per text, their first-seen ids text by text — each text's in code order —,
    the hash table and the codes by id, maybe grown, and how many codes there are)."""
    counts = np.zeros(lengths.size, np.int64)
    out = np.empty(max(cp.size, 1), np.int32)
    buf = np.empty(max(lengths.max() if lengths.size else 1, 1), np.int64)
    made, start = 0, 0
    for t in range(lengths.size):
        m = 0
        for p in range(start, start + lengths[t] - 1):
            a, b = np.int64(cp[p]), np.int64(cp[p + 1])
            if _kept(a) and _kept(b):
                code = (a << 21) | b
                j = m  # insertion sort: a summary's few dozen pairs, half the time of np.sort's call
                while j > 0 and buf[j - 1] > code:
                    buf[j] = buf[j - 1]
                    j -= 1
                buf[j] = code
                m += 1
        start += lengths[t]
        last = np.int64(_EMPTY)
        for q in range(m):
            code = buf[q]
            if code == last:
                continue
            last = code
            if 2 * (n_codes + 1) > slots.size:
                slots, ids = _grow(slots, ids)
            mask = slots.size - 1
            h = (code * 0x9E3779B97F4A7C15) >> 40 & mask
            while slots[h] != _EMPTY and slots[h] != code:
                h = (h + 1) & mask
            if slots[h] == _EMPTY:
                slots[h], ids[h] = code, n_codes
                if n_codes == codes.size:
                    codes = np.concatenate((codes, np.empty(codes.size, np.int64)))
                codes[n_codes] = code
                n_codes += 1
            out[made] = ids[h]
            made += 1
            counts[t] += 1
    return counts, out[:made].copy(), slots, ids, codes, n_codes


def bigram_matrix(texts: Sequence[str | None]) -> tuple[NDArray[np.int64], NDArray[np.integer[Any]]]:
    """(indptr, indices) of the texts' bigram sets: row i's ids are
    indices[indptr[i]:indptr[i + 1]], ascending."""
    slots, ids = np.full(1 << 16, _EMPTY, np.int64), np.empty(1 << 16, np.int32)
    codes, n_codes = np.empty(1 << 12, np.int64), 0
    counts, firsts = [], []
    for start in range(0, len(texts), BLOCK):
        part = [t or "" for t in texts[start:start + BLOCK]]
        cp = np.frombuffer("".join(part).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
        got, first, slots, ids, codes, n_codes = _block(cp, lengths, slots, ids, codes, n_codes)
        counts.append(got)
        firsts.append(first)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    if counts:
        np.cumsum(np.concatenate(counts), out=indptr[1:])
    # Two bytes an id while they fit (the synthetic city has ~3 400 bigrams, real text tens of thousands)
    width = np.uint16 if n_codes <= 1 << 16 else np.int32
    rank = np.empty(n_codes, dtype=width)
    rank[np.argsort(codes[:n_codes], kind="stable")] = np.arange(n_codes, dtype=width)
    indices: NDArray[np.integer[Any]] = np.empty(int(indptr[-1]), dtype=width)
    at = 0
    while firsts:  # each block's ids freed once ranked
        first = firsts.pop(0)
        indices[at:at + first.size] = rank[first]
        at += first.size
    return indptr, indices
