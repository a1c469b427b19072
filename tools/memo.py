"""Computed results kept per market-data source, so a repeated question costs a dictionary lookup.

Only tools registered with ``memo=True`` are kept: their result depends on nothing but the
arguments, the date "today" means and the bars. And only for sources that promise their data
never changes while they live (those offering ``derived``, see ``core.sources.load_bars``): a
source that can gain bars (a live cache) is never memoised, so no answer is ever stale.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

from pydantic import BaseModel

MAX_RESULTS = 1024
"""Results kept per source (least recently used dropped first); a levels answer is ~5 KB."""

_memos: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], BaseModel]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def _memo_of(source: Any) -> OrderedDict[tuple[Any, ...], BaseModel] | None:
    """Return the memo of ``source`` (created on first use), or None when it may not be kept."""
    if getattr(source, "derived", None) is None:
        return None
    with _lock:
        memo = _memos.get(source)
        if memo is None:
            memo = _memos[source] = OrderedDict()
        return memo


def recall(source: Any, key: tuple[Any, ...]) -> BaseModel | None:
    """Return a copy of the result kept for ``key`` on ``source``, or None."""
    memo = _memo_of(source)
    if memo is None:
        return None
    with _lock:
        kept = memo.get(key)
        if kept is None:
            return None
        memo.move_to_end(key)
    return kept.model_copy(deep=True)


def keep(source: Any, key: tuple[Any, ...], result: BaseModel) -> None:
    """Keep a copy of ``result`` for ``key`` on ``source`` (when the source allows it)."""
    memo = _memo_of(source)
    if memo is None:
        return
    copy = result.model_copy(deep=True)
    with _lock:
        memo[key] = copy
        memo.move_to_end(key)
        while len(memo) > MAX_RESULTS:
            memo.popitem(last=False)
