"""The district office: its keys, its SQLite store, ingest of station bundles, receipts,
status, and the HTTP inbox. sqlite3 is the office's store (the embedded default)."""
