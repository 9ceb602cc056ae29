"""C2 never exceeds inventory, reserve or channel limits (property test over random track sets)."""

import numpy as np
from hypothesis import given, settings, strategies as st

from iadsim.c2.stage import C2Stage, decide_runs
from iadsim.compile import compile_scenario
from iadsim.tracking.stage import UnitTracks
from test_doctrine_helpers import scenario

_WORLD = {}


def world(channels_t, channels_m, reserve):
    key = (channels_t, channels_m, reserve)
    if key not in _WORLD:
        unit = dict(name="s", system="s400", lat_deg=40.0, lon_deg=32.5, doctrine=dict(reserve_rounds=reserve, salvo=2),
                    overrides=dict(channels=dict(targets=channels_t, missiles=channels_m)))
        sc = scenario(units=[unit], raids=[dict(name="r", threat="fighter", target="base",
                                                route=[dict(lat_deg=41.0, lon_deg=32.5, alt_agl_m=6000.0)])])
        _WORLD[key] = compile_scenario(sc).world
    return _WORLD[key]


class FakeTracking:
    """Fixed tracks, always fresh (a stub tracker)."""

    def __init__(self, pos, vel):
        self.pos, self.vel = pos, vel

    def tracks(self, u, t_s):
        k = len(self.pos)
        return UnitTracks(np.arange(k), np.arange(k), self.pos + self.vel * t_s, self.vel, np.full(k, t_s))

    def is_fresh(self, u, track_id, t_s):
        return True


@settings(max_examples=10, deadline=None)
@given(n=st.integers(0, 40), seed=st.integers(0, 10_000), ct=st.sampled_from([1, 4, 12]), cm=st.sampled_from([2, 5, 20]),
       reserve=st.sampled_from([0, 5, 20]))
def test_orders_within_inventory_reserve_and_channels(n, seed, ct, cm, reserve):
    w = world(ct, cm, reserve)
    rng = np.random.default_rng(seed)
    rng_m = rng.uniform(20e3, 300e3, n)
    az = rng.uniform(0, 2 * np.pi, n)
    pos = np.stack([rng_m * np.sin(az), rng_m * np.cos(az), rng.uniform(100.0, 12e3, n)], -1)
    vel = -pos / np.linalg.norm(pos, axis=-1, keepdims=True) * rng.uniform(50.0, 600.0, n)[:, None] if n else pos
    c2 = C2Stage(w)
    trk = FakeTracking(pos, vel)
    start = w.weapons.rounds.copy()
    for t_s in np.arange(0.0, 30.0, 2.0):
        decide_runs(t_s, w, [c2], [trk])
        fired, _ = c2.due_launches(t_s, trk)
        n_t, n_m = c2.in_use(0)
        assert n_t <= ct and n_m <= cm
        assert np.all(c2.rounds >= np.minimum(reserve, start))
        assert all(m.ready(i) >= 0 for i, m in enumerate([c2.mags] * len(start)))
        if t_s == 16.0:  # some rounds resolve
            for f in fired:
                c2.resolved([f.unit], [f.track_id])
