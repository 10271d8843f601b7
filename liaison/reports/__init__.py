"""Figures and ledgers computed from a station's records (no UI, no storage)."""
