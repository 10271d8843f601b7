"""Nightly sync to the district office: keys, bundles, receipts, outbox, delivery.

Nothing here imports textual (the nightly job runs without the UI) or tinydb (the
station's records are read through liaison.store)."""
