"""Growing delays after wrong PINs, remembered across restarts.

After the k-th consecutive failure the next attempt is held back by 0, 1, 2, 4, 8 …
seconds, capped at 60 (see `delay_after`). The count and the earliest time of the
next attempt live in keys/unlock_state.json, so quitting and restarting the program
(or running the CLI in a loop) does not reset them. The count is per station, not
per officer: a thief cannot get fresh attempts by cycling through officer names.

The wait is enforced twice: right after a failure (the caller sleeps before it can
say "wrong PIN") and again before the next attempt if the remembered time has not
come yet (someone killed the program during the sleep). Sleep and clock are
injectable so tests neither wait nor depend on the wall clock.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from ..store.atomic import atomic_write

STATE = "unlock_state.json"
CAP = 60.0


def delay_after(failures: int) -> float:
    """Seconds to wait after the `failures`-th consecutive failure: 0, 1, 2, 4 … ≤ 60."""
    if failures <= 1:
        return 0.0
    return min(CAP, float(2 ** (failures - 2)))


class Backoff:
    def __init__(self, keys: Path, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time):
        self.path = Path(keys) / STATE
        self._lock_path = Path(keys) / ".keyring.lock"
        self.sleep = sleep
        self.clock = clock

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One process at a time reads-modifies-writes the keyring and this state."""
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def state(self) -> dict[str, Any]:
        try:
            data = orjson.loads(self.path.read_bytes())
            return {"failures": int(data.get("failures", 0)), "not_before": float(data.get("not_before", 0))}
        except (FileNotFoundError, orjson.JSONDecodeError, ValueError, TypeError, AttributeError):
            # A damaged state file must not unlock faster than an intact one would.
            return {"failures": 0, "not_before": 0.0} if not self.path.exists() else \
                {"failures": 8, "not_before": 0.0}

    @property
    def failures(self) -> int:
        failures: int = self.state()["failures"]
        return failures

    def wait_turn(self) -> None:
        """Sleep until the remembered earliest time of the next attempt (≤ CAP, so a clock
        set back by a day does not lock the station out for a day)."""
        remaining = self.state()["not_before"] - self.clock()
        if remaining > 0:
            self.sleep(min(remaining, CAP))

    def failed(self) -> float:
        """Record one more failure; sleep the delay it earns and return that delay."""
        with self.locked():
            failures = self.state()["failures"] + 1
            delay = delay_after(failures)
            self._write(failures, self.clock() + delay)
        if delay:
            self.sleep(delay)
        return delay

    def succeeded(self) -> None:
        if self.path.exists():
            with self.locked():
                self.path.unlink(missing_ok=True)

    def _write(self, failures: int, not_before: float) -> None:
        atomic_write(self.path, orjson.dumps({"failures": failures, "not_before": not_before}))
        os.chmod(self.path, 0o600)
