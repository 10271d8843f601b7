"""The short keys written into shard files and bundles, by name.

They are short because they repeat per record or per shard; they are part of the
on-disk and bundle formats, so their spelling never changes (old files must open).
The other reserved keys of a shard sit beside their code: sealed.SEALED/ROWS/KEY,
integrity.AUTH.
"""

from __future__ import annotations

# In a record (clear part or whole document).
PINYIN = "_py"  # the name's pinyin search keys, stored because computing them is slow
OFFICE_POINTER = "_o"  # export only: {"shard", "doc", "part"}, where the office finds the personal part

# In a record's sealed personal part.
SEALED_VERSION = "_v"  # the version it was sealed with: a part pasted from another version is refused

# In a shard's `_key` entry (sealed.KEY): the shard's key K, wrapped twice.
STATION_WRAP = "d"  # K sealed under the station's data key
OFFICE_WRAP = "o"  # {ENVELOPE: id, WRAPPED: K sealed under that office envelope key}
ENVELOPE = "e"  # the office envelope id (also in an exported part)
WRAPPED = "w"  # K sealed for the office (also in an exported part)
