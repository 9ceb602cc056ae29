"""Static weapon-target assignment (WTA): one entry point, three methods, an instance generator.

Minimise the expected surviving value F(x) = Σ_j V_j Π_i (1 − p_ij)^x_ij over integer rounds
x_ij ≥ 0 with Σ_j x_ij ≤ W_i (Manne 1958; den Broeder et al. 1959), optionally under C2 limits:
rounds per target (salvo doctrine), targets engaged at once (target channels) and rounds
engaged at once (missile-guidance channels). Full citations: docs/REFERENCES.md.

Methods: ``"heuristic"`` (default; Ahuja et al. 2007 iterated target-slot assignment, then
cyclic and path exchanges found by linear assignment, random layer re-placement and
single-round moves),
``"mmr"`` (maximum marginal return greedy, a baseline) and ``"exact"`` (outer-approximation MILP
on HiGHS, which proves optimality or reports its best bound when out of time).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from iadsim.c2.wta_exact import solve_exact
from iadsim.c2.wta_heuristic import flow_assign, improve_exchanges, improve_layers, improve_local, mmr_assign

METHODS = ("heuristic", "mmr", "exact")


@dataclass(frozen=True)
class WTAResult:
    """Outcome of one WTA solve.

    assignment : (n_types, n_targets) int64, rounds of type i fired at target j (read-only)
    surviving_value : F at ``assignment``, Σ_j V_j Π_i (1 − p_ij)^x_ij
    lower_bound : proven lower bound on the optimal F (exact), NaN for heuristics
    optimal : True only when optimality is proven (gap within the solver's tolerance)
    method : method used; wall_s : wall-clock time of the solve, s
    """

    assignment: np.ndarray
    surviving_value: float
    lower_bound: float
    optimal: bool
    method: str
    wall_s: float


def surviving_value(values, pk, assignment):
    """Expected surviving value Σ_j V_j Π_i (1 − p_ij)^x_ij of an assignment; float."""
    q = 1.0 - np.asarray(pk, float)
    return float(np.sum(np.asarray(values, float) * np.prod(q ** np.asarray(assignment), axis=0)))


def generate_instance(n, m, seed, rounds_per_type=1):
    """The benchmark test instance: values (m,) ~ U(25, 100), pk (n, m) ~ U(0.6, 0.9), drawn in that
    order from ``default_rng(seed)`` (Ahuja et al. 2007), and ``rounds_per_type`` (μ) ready rounds
    of each of the n weapon types, as in the multi-round class of Andersen, Pavlikov & Toffolo
    (2022), whose instances are n types × m targets × μ. The values and pk do not depend on μ."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(25.0, 100.0, size=m)
    pk = rng.uniform(0.60, 0.90, size=(n, m))
    return values, pk, np.full(n, int(_as_count("rounds_per_type", rounds_per_type, ())), dtype=np.int64)


def _as_count(name, v, shape=None):
    """Non-negative integer(s) from ``v``, or ValueError naming ``name``."""
    a = np.asarray(v)
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise ValueError(f"{name} must be integer, got dtype {a.dtype}")
    if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
        raise ValueError(f"{name} must be integer-valued")
    if np.any(a < 0):
        raise ValueError(f"{name} must be >= 0")
    if shape is not None and a.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {a.shape}")
    return a.astype(np.int64)


def _check(values, pk, rounds, method, time_limit_s, max_per_target, max_targets, max_total_rounds):
    """Validate and normalise the inputs of ``solve``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    values = np.asarray(values, dtype=float)
    pk = np.asarray(pk, dtype=float)
    if values.ndim != 1 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("values must be a 1-D array of finite values >= 0")
    if pk.ndim != 2 or pk.shape[1] != values.size:
        raise ValueError(f"pk must have shape (n_types, {values.size}), got {pk.shape}")
    if not np.all((pk >= 0.0) & (pk <= 1.0)):
        raise ValueError("pk must lie in [0, 1]")
    n, m = pk.shape
    rounds = _as_count("rounds", rounds)
    if rounds.shape != (n,):
        raise ValueError(f"rounds must have shape ({n},) to match pk, got {rounds.shape}")
    if time_limit_s is not None and not time_limit_s > 0:
        raise ValueError("time_limit_s must be > 0 or None")
    total = int(rounds.sum())
    cap = np.full(m, total, np.int64)
    if max_per_target is not None:
        c = _as_count("max_per_target", max_per_target)
        if c.ndim not in (0, 1) or (c.ndim == 1 and c.shape != (m,)):
            raise ValueError(f"max_per_target must be an integer or shape ({m},), got shape {c.shape}")
        cap = np.minimum(cap, np.broadcast_to(c, (m,)))
    k = m if max_targets is None else int(_as_count("max_targets", max_targets, ()))
    r = total if max_total_rounds is None else int(min(total, _as_count("max_total_rounds", max_total_rounds, ())))
    return values, pk, rounds, cap, min(k, m), r


def _can_gain(values, pk, rounds, cap, k, r) -> bool:
    """True if some round can lower F: a target of value > 0 with room (cap > 0), a ready type
    with pk > 0 against it, and a target channel and a round channel free."""
    if k <= 0 or r <= 0:
        return False
    usable = (pk > 0.0) & (rounds > 0)[:, None]
    return bool(np.any((values > 0.0) & (cap > 0) & usable.any(axis=0)))


def _exchange_and_local(values, pk, x, rounds, cap, k, r, paths, max_passes=10):
    """Alternate cyclic (and path) exchanges and single-round local search until neither improves."""
    for _ in range(max_passes):
        x_new = improve_exchanges(values, pk, x, rounds, cap, k, r, paths)
        x_new = improve_local(values, pk, x_new, rounds, cap, k, r)
        if np.array_equal(x_new, x):
            break
        x = x_new
    return x


def _heuristic(values, pk, rounds, cap, k, r):
    """Flow construction, then exchanges, layer re-placement and local search.

    Cyclic exchanges close the gap on the :func:`generate_instance` instances; the layer search
    and the path exchanges of the second pass also move rounds between targets of unequal need
    (sparse pk, multi-round types). MMR is kept as cheap insurance. The unit everywhere is the round: a
    type's μ ready rounds are μ rows of each linear assignment (its inventory as a capacity),
    so several rounds per type (Andersen, Pavlikov & Toffolo 2022) need nothing special; see
    benchmarks/results_wta.md for the measured gaps to the proven optima.
    """
    x = _exchange_and_local(values, pk, flow_assign(values, pk, rounds, cap, k, r), rounds, cap, k, r, paths=False)
    x = improve_local(values, pk, improve_layers(values, pk, x, rounds, cap, k, r), rounds, cap, k, r)
    x = _exchange_and_local(values, pk, x, rounds, cap, k, r, paths=True)
    x_mmr = mmr_assign(values, pk, rounds, cap, k, r)
    if surviving_value(values, pk, x_mmr) < surviving_value(values, pk, x):
        x = improve_local(values, pk, x_mmr, rounds, cap, k, r)
    return x


def solve(values, pk, rounds, method="heuristic", time_limit_s=None, *, max_per_target=None,
          max_targets=None, max_total_rounds=None, rel_gap=1e-9):
    """Assign rounds to targets to minimise the expected surviving value.

    Parameters
    ----------
    values : (m,) float >= 0, target values V_j
    pk : (n, m) float in [0, 1], single-shot kill probability of a round of type i on target j
    rounds : (n,) int >= 0, ready rounds of each type
    method : "heuristic" | "mmr" | "exact"
    time_limit_s : exact only; on time-out the best solution and bound so far, optimal=False
    max_per_target : int or (m,) int, most rounds on one target (salvo doctrine)
    max_targets : int, most targets engaged (target channels)
    max_total_rounds : int, most rounds fired in all (missile-guidance channels)
    rel_gap : exact only; relative optimality tolerance on F

    Returns
    -------
    WTAResult
    """
    t0 = time.perf_counter()
    values, pk, rounds, cap, k, r = _check(values, pk, rounds, method, time_limit_s, max_per_target,
                                           max_targets, max_total_rounds)
    lower_bound, optimal = np.nan, False
    if not _can_gain(values, pk, rounds, cap, k, r):  # no round can lower F: fire none (optimal)
        x = np.zeros(pk.shape, np.int64)
        if method == "exact":
            lower_bound, optimal = float(values.sum()), True
    elif method == "mmr":
        x = mmr_assign(values, pk, rounds, cap, k, r)
    else:
        x = _heuristic(values, pk, rounds, cap, k, r)
        if method == "exact":
            x, _, lower_bound, optimal = solve_exact(values, pk, rounds, cap, k, r, x, time_limit_s, rel_gap)
    x.flags.writeable = False
    return WTAResult(x, surviving_value(values, pk, x), float(lower_bound), bool(optimal), method,
                     time.perf_counter() - t0)
