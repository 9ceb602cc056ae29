"""Frozen golden outputs of the bundled examples: what a run gives is compared with what it gave
when the goldens were last reviewed, independently of how the engine computes it.

Per example and seed, ``<example>.json`` holds the run's summary and a SHA-256 digest of every
event column (and of the sampled trajectories), so a failure names the example, the seed and the
field that changed. Regenerate with one command, after reviewing what it prints::

    python tests/golden/regenerate.py            # rewrite tests/golden/*.json, print what changed
    python tests/golden/regenerate.py --check    # print what changed, write nothing (exit 1 if any)

Runs are simulated as one batch per example (``engine.run_batch``); that each run in a batch
equals the same run alone is a separate property test (tests/test_engine_batch.py).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = Path(__file__).resolve().parent
SEEDS = {"murted_2019": (1, 2, 3), "murted_patriot": (1, 2), "srbm_patriot": (1, 2, 3), "ankara_iads": (1, 2),
         "sead_strike": (1, 2), "terrain/murted_terrain": (1,)}


def _plain(v):
    """A JSON-able, exact form of an event value: floats as their shortest round-trip repr, NaN as null."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if math.isnan(v) else repr(v)
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def digest(values) -> str:
    """SHA-256 of a column (list or array), exact to the last bit of every float."""
    if isinstance(values, np.ndarray):
        a = np.ascontiguousarray(values)
        return hashlib.sha256(str(a.dtype).encode() + str(a.shape).encode() + a.tobytes()).hexdigest()
    return hashlib.sha256(json.dumps(_plain(list(values)), separators=(",", ":")).encode()).hexdigest()


def record(result) -> dict:
    """What is frozen of one run: its summary (JSON) and one digest per event column and sample."""
    fields = {f"events.{c}": digest(v) for c, v in result.events.items()}
    fields["events.rows"] = len(result.events["t_s"])
    for group in ("track_samples", "interceptor_samples"):
        for c, v in getattr(result, group).items():
            fields[f"{group}.{c}"] = digest(np.asarray(v))
    fields["threat_pos_enu_m"] = digest(np.asarray(result.threat_pos_enu_m))
    return {"summary": json.loads(json.dumps(_plain(result.summary))), "digests": fields}


def compute(name: str, seeds=None) -> dict:
    """{seed: record} of example ``name`` at its golden seeds."""
    import iadsim
    from iadsim import engine
    from iadsim.compile import compile_scenario

    seeds = SEEDS[name] if seeds is None else seeds
    sc = iadsim.load_scenario(ROOT / "examples" / f"{name}.yaml")
    results = engine.run_batch(sc, compile_scenario(sc), list(seeds))
    return {str(s): record(r) for s, r in zip(seeds, results)}


def load(name: str) -> dict:
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text())


def differences(name: str, old: dict, new: dict) -> list[str]:
    """Human-readable list of what changed: example, seed and field (summary keys flattened)."""
    out = []
    for seed in sorted(set(old) | set(new), key=int):
        if seed not in old or seed not in new:
            out.append(f"{name} seed {seed}: {'added' if seed in new else 'removed'}")
            continue
        a, b = _flat(old[seed]["summary"], "summary"), _flat(new[seed]["summary"], "summary")
        a.update(old[seed]["digests"])
        b.update(new[seed]["digests"])
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                out.append(f"{name} seed {seed}: {key}: {_short(a.get(key))} -> {_short(b.get(key))}")
    return out


def _flat(d, prefix):
    if isinstance(d, dict):
        out = {}
        for k, v in d.items():
            out.update(_flat(v, f"{prefix}.{k}"))
        return out
    if isinstance(d, list) and d and isinstance(d[0], dict):
        out = {}
        for i, v in enumerate(d):
            out.update(_flat(v, f"{prefix}[{i}]"))
        return out
    return {prefix: d}


def _short(v):
    s = json.dumps(v)
    return s if len(s) <= 60 else s[:16] + "…"
