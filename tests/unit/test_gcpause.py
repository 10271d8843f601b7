"""The shared collector pause: overlapping users (threads) leave it as found."""

from __future__ import annotations

import gc
import threading

from liaison.store.gcpause import paused


def test_overlapping_pauses_keep_it_off_until_the_last_leaves():
    assert gc.isenabled()
    first, second = paused(), paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first leaves while the second still runs
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_threads_pausing_at_once_leave_it_on():
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        for _ in range(200):
            with paused():
                assert not gc.isenabled()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_an_error_in_the_block_still_turns_it_back_on():
    try:
        with paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()
