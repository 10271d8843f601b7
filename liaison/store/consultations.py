"""The consultation store: the one object the CLI, the TUI and the nightly job save through.

Every create, edit and delete takes the write lock, gets the next change sequence
number, and is on disk (fsynced) when the call returns. Reads come from the in-memory
index (lists, search) or from the record's shard (one record, exports).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import orjson

from ..domain.consultation import Consultation, Note
from ..domain.intake import apply_edits, new_consultation
from ..domain.refs import day_prefix, format_ref
from ..domain.timeutil import now
from ..domain.validation import FieldError, ValidationError, validate
from .atomic import atomic_write, fsync_dir
from .errors import NotFound, StoreIntegrityError, StoreLocked, VersionConflict
from .heads import Heads
from .index import Row
from .loading import Loading
from .lock import DEFAULT_TIMEOUT
from .meta import SCHEMA_VERSION, Meta, migrate
from .opened import _OPEN, PENDING, _doc, _pending_ids, _py
from .sealed import Cipher, OfficeCipher
from .shards import SHARD_CAPACITY


class Store(Loading):
    """The store's API: open (or set up) a station's folder, then read and write
    its consultations; what it stands on is in store.opened and store.loading."""

    # -- opening -------------------------------------------------------------------
    @classmethod
    def init(cls, home: Path, *, station: str, code: str, officer: str = "",
             cipher: Cipher | None = None, office: OfficeCipher | None = None) -> "Store":
        store = cls(home, cipher=cipher, office=office)
        with store.lock.hold():
            if not store.meta.exists:
                store.meta.put(schema=SCHEMA_VERSION, created_at=now().isoformat())
            store.meta.put(station=station, code=code, officer=officer)
        store._load()
        store._verify()
        if cipher is not None:
            store._seal_at_rest()
        return store
    @staticmethod
    def read_changes(home: Path, after: int, attempts: int = 5) -> tuple[str, list[dict[str, Any]]]:
        """(station id, every record changed after `after`) for the nightly export, read
        without any key (see store.changes)."""
        from .changes import read_changes

        return read_changes(home, after, attempts)

    @staticmethod
    def check_folder(home: Path) -> list[str]:
        """Without any key: shards missing, rolled back or cut short against the manifest
        (see store.changes.folder_problems). Edited bytes are found by an unlocked open."""
        from .changes import check_folder

        return check_folder(home)

    @staticmethod
    def check_ready(home: Path) -> None:
        """Raise NotInitialised (cheaply, without loading records) if `home` is not set up."""
        meta = Meta(Path(home))
        try:
            meta.get()
        finally:
            meta.close()

    @staticmethod
    def open_here(home: Path) -> bool:
        """Is a store of `home` open in this process (not yet closed)?"""
        home = Path(home)
        return any(s.home == home for s in list(_OPEN))

    @classmethod
    def open(cls, home: Path, *, lock_timeout: float = DEFAULT_TIMEOUT, cipher: Cipher | None = None,
             office: OfficeCipher | None = None, officer: str = "",
             heads: Heads | None = None) -> "Store":
        """Open the records. A sealed store needs `cipher` (StoreLocked otherwise); a
        plain one opened with a cipher is sealed now (the first unlock migrates it).
        `heads`: shards read while the PIN was checked (store.heads.PreRead), used
        where the files are still the ones read."""
        store = cls(home, lock_timeout=lock_timeout, cipher=cipher, office=office, officer=officer)
        store._heads = heads
        facts = store.meta.get()  # raises NotInitialised
        if facts.get("sealed") and cipher is None:
            store.close()
            raise StoreLocked()
        if int(facts.get("schema", 0)) < 1 or (store.home / PENDING).exists():
            with store.lock.hold():
                migrate(store.home, store.meta, _py)
                store._roll_back_pending()
        store._load()
        store._verify()
        if cipher is not None and not store.problems:
            store._seal_at_rest()
        return store

    def reseal_all(self) -> int:
        """Write every shard again under the current key (after an officer's removal
        replaced the data key); returns how many. The manifest is signed anew too."""
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            ns = self.shards.numbers()
            for n in ns:
                self.shards.rewrite(n, lambda doc: doc)
                self._stamps[n] = self.shards.stamp(n)
            return len(ns)
    # -- writing -------------------------------------------------------------------
    def _writable(self) -> None:
        self.watch.refresh()
        if self.watch.problems:
            raise StoreIntegrityError(self.watch.problems)

    def _next_seq(self) -> int:
        """Never a number given before, even to a record whose shard is now gone."""
        return max(self.index.max_seq, self.watch.counter) + 1

    def _ref_number(self, prefix: str, day: Any) -> int:
        return max(self.index.next_ref_number(prefix, day), self.watch.refs.get(prefix, 0) + 1)

    def _target_shard(self) -> int:
        last = max(self._counts, default=0)
        return last if last and self._counts[last] < SHARD_CAPACITY else last + 1

    def _put(self, c: Consultation, old: Row | None) -> Consultation:
        doc = _doc(c)
        if old is None:
            n = self._target_shard()
            doc_id = self.shards.table(n).insert(doc)
            self._counts[n] += 1
        else:
            n, doc_id = old.shard, old.doc_id
            self.shards.table(n).update(doc, doc_ids=[doc_id])
        self._stamps[n] = self.shards.stamp(n)
        self.index.put(Row.from_doc(doc, n, doc_id))
        return c

    def _next_ref(self, visited: datetime) -> str:
        prefix = day_prefix(self.code, visited.date())
        return format_ref(self.code, visited.date(), self._ref_number(prefix, visited.date()))

    def create(self, fields: Mapping[str, Any], *, at: datetime | None = None) -> Consultation:
        """Save a new consultation from checked input (see domain.intake.fields_from_input)."""
        t = at or now()
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            ref = self._next_ref(fields.get("visited_at") or t)
            c = new_consultation(fields, station=self.station, ref=ref, at=t)
            return self._put(c.evolve(seq=self._next_seq()), None)

    def create_many(self, batch: list[Mapping[str, Any]], *, at: datetime | None = None) -> list[Consultation]:
        """All or nothing: either every record is saved, or none is (even after a crash)."""
        t = at or now()
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            made: list[Consultation] = []
            refs: dict[str, int] = {}
            first_seq = self._next_seq()
            for i, fields in enumerate(batch):
                visited = fields.get("visited_at") or t
                prefix = day_prefix(self.code, visited.date())
                refs[prefix] = refs.get(prefix, self._ref_number(prefix, visited.date()) - 1) + 1
                c = new_consultation(fields, station=self.station, at=t,
                                     ref=format_ref(self.code, visited.date(), refs[prefix]))
                made.append(c.evolve(seq=first_seq + i))
            pending = self.home / PENDING
            atomic_write(pending, orjson.dumps([c.id for c in made]))
            by_shard: dict[int, list[dict[str, Any]]] = defaultdict(list)
            n = self._target_shard()
            room = SHARD_CAPACITY - self._counts[n]
            for c in made:
                if room == 0:
                    n, room = n + 1, SHARD_CAPACITY
                by_shard[n].append(_doc(c))
                room -= 1
            written: list[tuple[int, list[int]]] = []
            try:
                for n, docs in by_shard.items():
                    written.append((n, self.shards.table(n).insert_multiple(docs)))
            except Exception:
                for n, ids in written:
                    self.shards.table(n).remove(doc_ids=ids)
                raise
            finally:
                self._counts.clear()
                self._load()
            pending.unlink()
            fsync_dir(self.home)
            return made

    def _roll_back_pending(self) -> None:
        pending = self.home / PENDING
        if not pending.exists():
            return
        ids = _pending_ids(self.home)
        for n in self.shards.numbers():
            doomed = [doc_id for doc_id, doc in self.shards.docs(n) if doc["id"] in ids]
            if doomed:
                self.shards.table(n).remove(doc_ids=doomed)
        pending.unlink()
        fsync_dir(self.home)

    def save(self, c: Consultation) -> Consultation:
        """Save an edited record as its next version. `c.version` must still be the
        stored one, so two windows cannot silently overwrite each other."""
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            old = self.index.by_id.get(c.id)
            if old is None:
                raise NotFound(f"找不到咨询记录：{c.ref} (no consultation {c.id})")
            if old.deleted:
                raise VersionConflict(f"记录 {c.ref} 已删除，不能再修改。(record {c.ref} was deleted; it cannot be changed)")
            self._refuse_purged(old)
            if old.version != c.version:
                raise VersionConflict(
                    f"记录 {c.ref} 已在别处被修改（当前第{old.version}版），请重新打开后再改。"
                    f"(record {c.ref} was changed elsewhere; now version {old.version}, reopen it)"
                )
            validate(c)
            t = now()
            nxt = c.evolve(version=c.version + 1, seq=self._next_seq(), updated_at=t)
            return self._put(nxt, old)

    def _refuse_purged(self, row: Row) -> None:
        doc = self.shards.table(row.shard).get(doc_id=row.doc_id)
        if doc is not None and doc.get("purged_at"):
            # A new version would replace the office's full copy with empty fields.
            raise VersionConflict(f"记录 {row.ref} 的个人信息已按保存期限清除，不能再修改。"
                                  f"(record {row.ref} was purged under the retention rule; it cannot be changed)")

    def edit(self, key: str, edits: Mapping[str, Any]) -> Consultation:
        c = self.get(key)
        self._refuse_purged(self.index.by_id[c.id])  # before the edits are checked: say why, not "summary required"
        return self.save(apply_edits(c, edits))

    def add_note(self, key: str, text: str, officer: str | None = None) -> Consultation:
        c = self.get(key)
        note = Note(at=now(), officer=officer or self.officer, text=text.strip())
        if not note.text:
            raise ValidationError([FieldError("notes", "备注不能为空", "a note cannot be empty")])
        return self.save(c.evolve(notes=c.notes + (note,)))

    def purge(self, *, before: Any, acked_seq: int, dry_run: bool = False, at: datetime | None = None) -> Any:
        """Remove the personal fields of old closed records the office has acknowledged
        (see store.retention)."""
        from .retention import purge

        return purge(self, before=before, acked_seq=acked_seq, dry_run=dry_run, at=at)

    def delete(self, key: str) -> Consultation:
        """A tombstone: the record stays (hidden) so the district office learns of it."""
        return self.save(self.get(key).evolve(deleted=True))
