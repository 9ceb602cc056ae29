"""Process-wide caches with a memory bound the user sets.

iadsim keeps a few results that every run of a scenario shares (the sensing look table, flown
routes) in memory between runs. Their total size is bounded by ``IADSIM_MEMO_MB`` (environment
variable, megabytes, default 256): a cache evicts its oldest entries to stay within its share,
and a result larger than the bound is not kept (it is recomputed when needed).
"""

from __future__ import annotations

import os

DEFAULT_MB = 256.0


def limit_bytes() -> int:
    """The bound on what the caches hold, bytes (``IADSIM_MEMO_MB``; a bad value is an error)."""
    raw = os.environ.get("IADSIM_MEMO_MB", "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MB
    except ValueError:
        raise ValueError(f"IADSIM_MEMO_MB: expected a number of megabytes, got {raw!r}") from None
    if not mb >= 0:
        raise ValueError(f"IADSIM_MEMO_MB: expected a number of megabytes >= 0, got {raw!r}")
    return int(mb * 1e6)


class Memo:
    """An insertion-ordered cache whose entries' sizes (bytes, given on :meth:`put`) add up to at
    most ``share`` × :func:`limit_bytes`; the oldest entries go first."""

    def __init__(self, share: float):
        self.share = float(share)
        self._items: dict = {}
        self._sizes: dict = {}

    def get(self, key):
        return self._items.get(key)

    def __contains__(self, key) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def fits(self, nbytes: int) -> bool:
        """Whether an entry of ``nbytes`` may be kept at all."""
        return nbytes <= self.share * limit_bytes()

    def put(self, key, value, nbytes: int) -> None:
        """Keep ``value`` (if it fits), evicting the oldest entries until the total is in bounds."""
        if not self.fits(nbytes):
            return
        self._items.pop(key, None)
        self._sizes.pop(key, None)
        bound = self.share * limit_bytes()
        while self._items and sum(self._sizes.values()) + nbytes > bound:
            old = next(iter(self._items))
            del self._items[old], self._sizes[old]
        self._items[key] = value
        self._sizes[key] = int(nbytes)

    def clear(self) -> None:
        self._items.clear()
        self._sizes.clear()
