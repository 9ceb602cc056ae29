"""Comparing alternatives run with common random numbers: paired differences against the first.

Run i of every alternative uses the same seed (same study seed, :mod:`iadsim.study.seeds`), and
each engine stage draws from its own stream, so the noise that two alternatives share cancels in
the per-run differences (Law, Simulation Modeling and Analysis, 5th ed., §11.2 on common random
numbers). Differences are computed over the runs finished in every alternative.
"""

from __future__ import annotations

from functools import reduce

import numpy as np

from iadsim.study import stats as st


def common_runs(per_runs: list[st.PerRun]) -> np.ndarray:
    """Run indices finished (status ok) in every alternative."""
    return reduce(np.intersect1d, [p.run_index for p in per_runs])


def paired_differences(per_runs: list[st.PerRun]) -> list[list[dict]]:
    """For each alternative after the first, one row per metric shared with the first: other − first."""
    runs = common_runs(per_runs)
    aligned = [st.metrics(p.subset(runs)) for p in per_runs]
    base = {m.name: m for m in aligned[0]}
    out = []
    for other in aligned[1:]:
        rows = [st.paired_difference(base[m.name], m) for m in other if m.name in base]
        for r in rows:
            r["significant"] = bool(np.isfinite(r["lo"]) and (r["lo"] > 0 or r["hi"] < 0))
        out.append(rows)
    return out
