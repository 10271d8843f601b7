"""A real terminal for tests: a tmux server of our own at a given size.

Each `Terminal` starts its own server on its own socket and kills it when closed. On
the shared default server, one test's `kill-session` of the last session made the server
exit just as the next test's `new-session` reached it ("server exited unexpectedly",
seen in CI); and a shared server hands every session the environment of whoever
started it first.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

TMUX = shutil.which("tmux")


class Terminal:
    """One tmux server of our own (its own socket: our environment, nobody else's sessions)."""

    def __init__(self, command: list[str], env: dict[str, str]):
        self.socket = f"liaison-test-{uuid.uuid4().hex[:8]}"
        self.env = env
        self.tmux("new-session", "-d", "-s", "t", "-x", "80", "-y", "24", " ".join(command))

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-L", self.socket, *args], env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def text(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)

    def screen(self, *flags: str) -> str:
        """The pane as text (`-e`: with its colours, `-N`: trailing spaces kept)."""
        return self.tmux("capture-pane", "-p", *flags, "-t", "t")

    def wait_for(self, text: str, seconds: float = 30) -> None:
        """Until the app shows `text` (it starting up is not what is tested)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if text in self.screen():
                return
            time.sleep(0.1)
        raise AssertionError(f"never showed {text!r}:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], env=self.env, capture_output=True)
