"""The officer's terminal UI: the only package that imports textual."""
