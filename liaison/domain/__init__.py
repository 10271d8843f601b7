"""Pure domain model: no storage, no UI. Imports nothing of ours outside this package."""
