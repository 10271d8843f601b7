"""Shared by the security tests: names, PINs and a fake clock that records sleeps."""

from __future__ import annotations

STATION = "fengqiao-yuanfang"
PIN_WANG, PIN_LI = "ks83jd-x", "桥头调解2024"


class FakeTime:
    def __init__(self):
        self.now = 1_700_000_000.0
        self.slept: list[float] = []

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s

    def clock(self) -> float:
        return self.now
