"""Loading the store's rows into the index at open, picking up what other processes
wrote, and checking the shards against the manifest (store.watch)."""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from typing import Any, Mapping

from .errors import StoreLocked
from .gcpause import paused
from .index import Index, Row
from .opened import StoreBase


class Loading(StoreBase):
    def _rows_of(self, n: int) -> list[Mapping[str, Any]]:
        """(seq, ref) of shard n's records, from the index: only for a roll forward."""
        return [{"seq": r.seq, "ref": r.ref} for r in list(self.index.by_id.values()) if r.shard == n]

    def _verify(self) -> None:
        """Opening does not wait for writers: the lock is taken only when the first look
        is not conclusive (see Watch.verify)."""
        for locked in (False, True):
            with (self.lock.hold() if locked else nullcontext(False)) as stale:
                if stale:
                    self._load()
                if self.watch.verify(self.shards.found, self._rows_of, lambda: self.index.by_ref,
                                     lambda: self.index.max_seq, self.station, self.facts,
                                     self.cipher is not None, lambda: self.meta.put(manifest=True), locked):
                    return

    def accept_loss(self) -> list[str]:
        """After a problem: re-sign the shards as they are now (an altered one included)
        and make them the manifest's truth; the counter and references keep their
        highest values. Needs the key. Returns what was accepted (for the audit log)."""
        if self.cipher is None and self.sealed:
            raise StoreLocked()
        with self.lock.hold():
            for n, f in sorted(self.shards.found.items()):
                if f.ok is False:
                    self.shards.rewrite(n, lambda doc: doc, strict=False)
            self._load()
            return self.watch.accept(self.shards.found, self.index.max_seq, lambda: self.index.by_ref,
                                     self.station)
    def _seal_at_rest(self) -> None:
        """Seal shards still plain on disk, wrap for the office the keys of shards that
        were sealed before its key was installed (or under an old one), then mark the
        folder sealed. Safe to interrupt: each shard is rewritten atomically, and the
        mark is set only when all are done. The documents do not change, so the index
        rows stay as they are."""
        todo = set(self.shards.plain) | self._office_todo
        if not todo and self.facts.get("sealed"):
            return
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            for n in sorted(todo):
                self.shards.rewrite(n, lambda doc: doc)
                self._office_todo.discard(n)
                self._stamps[n] = self.shards.stamp(n)
            legacy = self.home / "consultations.json.v0-migrated"
            if legacy.exists():  # the prototype's plain copy, now in sealed shards
                legacy.unlink()
            self.watch.prepare()  # the manifest too is signed with the key from now on
            if not self.facts.get("sealed"):
                self.meta.put(sealed=True)
                self.__dict__.pop("facts", None)
    def _load(self) -> None:
        # Building 50 000 rows would trigger many full garbage collections, each walking
        # everything built so far (quadratic); nothing here makes cycles (see gcpause).
        with paused():
            self._load_rows()

    def _load_rows(self) -> None:
        gen = self.lock.read_gen()
        self.index = Index()
        self._counts.clear()
        rows = []
        current = self.office.current if self.office is not None and self.cipher is not None else None
        from_doc = Row.from_doc
        heads, self._heads = self._heads, None
        pre = heads.by_shard if heads is not None else {}
        # The pre-read's index stands only if it holds exactly what is listed now.
        pre_index = heads.index if heads is not None else None
        whole = pre_index is not None
        stamps = self.shards.stamps()
        for n, stamp in stamps.items():
            self._stamps[n] = stamp
            head = pre.get(n)
            listed = self.shards.listed(n, stamp, head)
            if listed is not None:
                rows += listed
                count = len(listed)
            else:
                count = 0
                for doc_id, doc in self.shards.rows(n):
                    rows.append(from_doc(doc, n, doc_id, False))
                    count += 1
            whole = whole and head is not None and listed is head.rows
            self._counts[n] += count
            if current is not None and count and self.shards.office_env.get(n) != current:
                self._office_todo.add(n)
        if pre_index is not None and whole and len(stamps) == len(pre):
            self.index = pre_index
            self.index.lazy_hay(self._load_hay)
        else:
            self.index.load(rows, hay_loader=self._load_hay)
        self._settle(gen)

    def _load_hay(self, rows: list[Row]) -> None:
        """Fill in the search text of rows loaded without it (see Index.warm)."""
        wanted: dict[int, dict[int, Row]] = defaultdict(dict)
        for r in rows:
            wanted[r.shard][r.doc_id] = r
        for n, by_doc in wanted.items():
            for doc_id, doc in self.shards.docs(n):
                row = by_doc.get(doc_id)
                if row is not None:
                    row.hay = Row.from_doc(doc, n, doc_id).hay

    def refresh(self) -> bool:
        """Pick up what other processes saved; True if anything changed."""
        if not self.lock.others_wrote:
            return False
        gen = self.lock.read_gen()
        changed = self._reload_changed()
        return self._settle(gen) or changed

    def _settle(self, gen: int) -> bool:
        """Shards were read without the lock, starting at generation `gen`. Accept what
        was read only if no writer finished meanwhile; otherwise re-read what changed.
        Writers bump the generation after their write too, so a write still under way
        now will show up as a new generation later and be picked up then."""
        changed = False
        while (now := self.lock.read_gen()) != gen:
            gen = now
            changed = self._reload_changed() or changed
        self.lock.known_gen = gen
        return changed

    def _reload_changed(self) -> bool:
        changed = [n for n in self.shards.numbers() if self.shards.stamp(n) != self._stamps.get(n)]
        for n in changed:
            self.shards.forget(n)
            self.index.drop(r.id for r in list(self.index.by_id.values()) if r.shard == n)
            self._stamps[n] = self.shards.stamp(n)
            self._counts[n] = 0
            for doc_id, doc in self.shards.docs(n):
                self.index.put(Row.from_doc(doc, n, doc_id))
                self._counts[n] += 1
        return bool(changed)
