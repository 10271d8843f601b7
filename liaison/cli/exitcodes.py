"""Exit codes of the `liaison` command: part of its API (cron and scripts test them)."""

OK = 0
INTERNAL = 1  # a bug: the message says where the details were written
USAGE = 2  # wrong arguments (argparse's own code)
NOT_FOUND = 3  # no such consultation / station
INVALID = 4  # input refused by validation; nothing was saved
BUSY = 5  # another process held the write lock (station or office) too long; retry later
NOT_SET_UP = 6  # data folder not initialised, or a station profile is broken
STORAGE = 7  # the disk refused a write (full, read-only) or a data file is unreadable
SYNC_PENDING = 10  # sync: some bundles have no receipt yet (normal for a folder target until the office ingests)
UNREACHABLE = 11  # sync: a target was unreachable (folder not mounted, office down) and bundles remain pending
REFUSED = 12  # sync: the office refused a bundle, or a receipt did not verify; bundles remain pending
KEYS = 13  # keys missing or wrong (run `liaison keys --hq-key`, `liaison hq init`, `liaison hq enroll`)
QUARANTINED = 14  # hq ingest: some bundles failed a check and were moved to quarantine/, or some records
# failed the station's rules and were refused (reasons in quarantine/); the rest were ingested
WRONG_PIN = 15  # wrong officer, PIN or recovery code (each further failure waits longer)
PIN_NEEDED = 16  # a PIN was needed but there is no terminal to ask on and LIAISON_PIN is not set
AUDIT_BROKEN = 17  # audit verify: the audit log's chain is broken; the message names the first bad entry

TABLE = {
    OK: "success",
    INTERNAL: "internal error (a bug; see the message)",
    USAGE: "wrong arguments",
    NOT_FOUND: "no such consultation or station",
    INVALID: "input refused by validation; nothing saved",
    BUSY: "data folder or office busy (another liaison process is writing); retry",
    NOT_SET_UP: "not set up (run `liaison init`) or a broken station profile",
    STORAGE: "storage failure (disk full, read-only, unreadable file) or the data folder does not match its manifest; earlier data intact",
    SYNC_PENDING: "sync: some bundles not yet acknowledged by the office (no receipt yet)",
    UNREACHABLE: "sync: delivery target unreachable; bundles kept pending",
    REFUSED: "sync: the office refused a bundle or a receipt failed verification",
    KEYS: "keys missing or invalid (liaison keys / hq init / hq enroll)",
    QUARANTINED: "hq ingest: some bundles quarantined or records refused (see quarantine/*.reason.txt)",
    WRONG_PIN: "wrong officer, PIN or recovery code",
    PIN_NEEDED: "PIN needed: no terminal to ask on and LIAISON_PIN not set",
    AUDIT_BROKEN: "audit log chain broken (the message names the first bad entry)",
}
