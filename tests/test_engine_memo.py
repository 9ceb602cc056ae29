"""The process-wide caches (look tables, flown routes) stay within IADSIM_MEMO_MB."""

import pytest

from iadsim import memo


def test_memo_evicts_oldest_to_stay_within_the_bound(monkeypatch):
    monkeypatch.setenv("IADSIM_MEMO_MB", "1")  # 1e6 bytes; a memo with half of it: 500 kB
    m = memo.Memo(0.5)
    for k in range(4):
        m.put(k, f"v{k}", 200_000)
    assert [k for k in range(4) if k in m] == [2, 3]  # 400 kB kept, the oldest two evicted
    m.put("big", "x", 600_000)  # larger than the share: not kept, nothing evicted
    assert "big" not in m and len(m) == 2


def test_memo_bound_zero_keeps_nothing_and_a_bad_value_is_named(monkeypatch):
    monkeypatch.setenv("IADSIM_MEMO_MB", "0")
    m = memo.Memo(1.0)
    m.put("a", 1, 1)
    assert "a" not in m
    monkeypatch.setenv("IADSIM_MEMO_MB", "lots")
    with pytest.raises(ValueError, match="IADSIM_MEMO_MB"):
        memo.limit_bytes()
