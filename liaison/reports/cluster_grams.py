"""Every summary's character bigrams at once, as a CSR matrix of bigram ids (numpy).

The same grams as `cluster_keys.bigrams` — pairs of adjacent characters that are both
CJK / alphanumeric (cluster_keys._NOISE) — found for a block of summaries in a few
array passes over their UTF-32 code points instead of a str and a dict look-up per
pair: at 600 000 summaries the per-pair Python work was a third of `hq clusters`.
A bigram's id is its rank among all bigrams seen, in code-point order, which is the
order of the bigram strings themselves (the rarest-first order's tie-break relies on it).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Sequence

import numpy as np
from numpy.typing import NDArray

BLOCK = 20_000  # summaries per pass: bounds the temporary arrays (~40 MB at 60 chars each)
_SEP = "\0"  # noise: no bigram spans two summaries


def _noise(cp: NDArray[np.uint32]) -> NDArray[np.bool_]:
    """Mask of the code points cluster_keys._NOISE removes ([^0-9A-Za-z\\u3400-\\u9fff])."""
    keep = ((cp >= 0x30) & (cp <= 0x39)) | ((cp >= 0x41) & (cp <= 0x5A)) | ((cp >= 0x61) & (cp <= 0x7A)) \
        | ((cp >= 0x3400) & (cp <= 0x9FFF))
    return ~keep


def _unique(sorted_keys: NDArray[np.uint64]) -> NDArray[np.uint64]:
    # sort + mask: np.unique hashes first, ~80x slower on a million distinct keys
    return sorted_keys[np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))] if sorted_keys.size else sorted_keys


def _block(texts: Sequence[str | None]) -> tuple[NDArray[np.intp], NDArray[np.uint64], NDArray[np.integer[Any]]]:
    """(grams per text, the block's bigram codes ascending, each pair's index into
    them), pairs sorted by text then code."""
    joined = _SEP + _SEP.join(t or "" for t in texts) + _SEP
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    del joined
    lengths = np.fromiter((len(t or "") + 1 for t in texts), dtype=np.int64, count=len(texts))
    row = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths)  # each text and the separator after it
    noise = _noise(cp)
    ok = ~(noise[:-1] | noise[1:])[1:]  # pairs starting after the leading separator
    code = (cp[1:-1].astype(np.uint64) << np.uint64(21)) | cp[2:].astype(np.uint64)
    key = (row[:-1][ok] << np.uint64(42)) | code[ok]
    del cp, noise, ok, code, row
    key.sort()
    key = _unique(key)
    codes = key & np.uint64((1 << 42) - 1)
    counts = np.bincount((key >> np.uint64(42)).astype(np.int64), minlength=len(texts))
    del key
    vocab = _unique(np.sort(codes))
    return counts, vocab, np.searchsorted(vocab, codes).astype(np.uint16 if vocab.size <= 1 << 16 else np.int32)


def bigram_matrix(texts: Sequence[str | None]) -> tuple[NDArray[np.int64], NDArray[np.integer[Any]]]:
    """(indptr, indices) of the texts' bigram sets: row i's ids are
    indices[indptr[i]:indptr[i + 1]], ascending. Block by block, each with its own
    small vocabulary, mapped at the end to the whole vocabulary."""
    blocks = [_block(texts[start:start + BLOCK]) for start in range(0, len(texts), BLOCK)]
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    if not blocks:
        return indptr, np.zeros(0, np.int32)
    np.cumsum(np.concatenate([counts for counts, _, _ in blocks]), out=indptr[1:])
    vocab = _unique(np.sort(np.concatenate([v for _, v, _ in blocks])))
    # Two bytes an id while they fit (the synthetic city has ~3 400 bigrams, real text tens of thousands)
    width = np.uint16 if vocab.size <= 1 << 16 else np.int32
    indices: NDArray[np.integer[Any]] = np.empty(int(indptr[-1]), dtype=width)
    at = 0
    pending = deque(blocks)
    blocks.clear()
    while pending:  # each block freed once copied
        _, v, local = pending.popleft()
        # id order = code order = the bigram strings' order
        indices[at:at + local.size] = np.searchsorted(vocab, v).astype(indices.dtype)[local]
        at += local.size
    return indptr, indices
