"""Running test work from several threads released at one instant (races on stores)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def together(count: int, work: Callable[[int], T]) -> list[T]:
    """Return the results of ``work(i)`` for ``count`` threads started at one instant (a
    barrier releases them together), in the order they finished."""
    barrier = threading.Barrier(count)
    out: list[T] = []

    def run(i: int) -> None:
        barrier.wait()
        out.append(work(i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out
