"""Benchmarks (not tests): figures printed side by side with their anchors, in one run."""
