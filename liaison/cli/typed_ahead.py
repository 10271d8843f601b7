"""Keys typed before the officer's interface has the terminal.

An officer types the PIN as soon as `liaison` is launched, or as soon as `liaison demo`
prints the demo's PIN while it prepares its data. Until the app switches the terminal
to raw mode, the terminal's line discipline has those keys: it echoes them (a PIN left
in clear on the shell's screen once the app exits) and turns Enter into a newline,
which the app reads as Ctrl+J (the PIN typed, its Enter lost). So from the command's
start the keys are taken the way the app will take them: not echoed, Enter kept as
Enter, each key readable at once. Ctrl+C still interrupts. The terminal's own settings
come back when the command ends, however it ends.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def kept_for_the_app() -> Iterator[None]:
    try:
        import termios

        fd = sys.stdin.fileno()
        before = termios.tcgetattr(fd) if os.isatty(fd) else None
    except (ImportError, OSError, ValueError):  # no terminal (a pipe, a closed stdin …)
        before = None
    if before is None:
        yield
        return
    quiet = list(before)
    quiet[0] &= ~termios.ICRNL  # iflag: Enter stays "\r", the app's Enter
    quiet[3] &= ~(termios.ECHO | termios.ICANON)  # lflag: no echo, no line editing
    try:
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
    except termios.error:
        before = None
    try:
        yield
    finally:
        if before is not None:
            try:
                termios.tcsetattr(fd, termios.TCSANOW, before)
            except termios.error:
                pass  # the terminal went away: nothing to give back
