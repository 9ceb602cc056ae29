"""Magazines: the settled-unit shortcut of ``step_reload`` and the ready-round counts change nothing.

Random takes, put-backs and reload steps go to two magazines: one as is, one that never
takes the shortcut (every step does the full reload scan). Their reloads and state must agree
at every step, and ``n_ready`` must equal the loaded rounds.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from iadsim.c2.doctrine import Magazines


class _FullScan(Magazines):
    """Magazines that never skip a step: the reference."""

    def step_reload(self, t_s, u):
        self._settled[u] = False
        return super().step_reload(t_s, u)


def _setup():
    weapons = SimpleNamespace(unit_idx=np.array([0, 0, 1]), rails=np.array([2, 1, 4]), n_launchers=np.array([3, 2, 2]),
                              reload_rounds=np.array([5, 2, 8]))
    units = SimpleNamespace(name=np.array(["a", "b"]), reload_time_s=np.array([7.0, 0.0]),
                            reload_vehicles=np.array([2, 1]))
    return weapons, units


def _state(m):
    return ([lo.tolist() for lo in m.loaded], m.stock.tolist(), [list(r) for r in m.reloading], m.n_ready.tolist())


@pytest.mark.parametrize("seed", range(5))
def test_shortcut_matches_full_scan(seed):
    rng = np.random.default_rng(seed)
    weapons, units = _setup()
    fast, ref = Magazines(weapons, units), _FullScan(weapons, units)
    taken = []  # (w, launcher) of rounds taken and not put back
    for step in range(200):
        t_s = float(step)
        for u in (0, 1):
            assert fast.step_reload(t_s, u) == ref.step_reload(t_s, u)
        for _ in range(rng.integers(0, 3)):
            w = int(rng.integers(0, 3))
            if rng.random() < 0.3 and taken:
                w, j = taken.pop(int(rng.integers(0, len(taken))))
                fast.put_back(w, j), ref.put_back(w, j)
            elif fast.ready(w):
                j = fast.take(w)
                assert ref.take(w) == j
                taken.append((w, j))
        assert _state(fast) == _state(ref)
        assert fast.n_ready.tolist() == [int(lo.sum()) for lo in fast.loaded]
