"""Study statistics with 95 % intervals, and the paired differences used by comparisons.

Three kinds of metric, each reduced to one value per run:

- *mean* (leakers, interceptors fired): Student-t interval, x̄ ± t(n-1) s/√n; when every run has
  the same count (zero spread, e.g. no leaker in any run) the t interval would collapse to a point,
  so the exact Poisson interval of the total count S over n runs is used instead (Garwood 1936,
  "Fiducial limits for the Poisson distribution", Biometrika 28): [χ²(α/2; 2S)/2n, χ²(1−α/2; 2S+2)/2n],
  and for S = 0 the one-sided upper bound −ln(α)/n (≈ 3.00/n at 95 %, the "rule of three");
- *proportion* (raid annihilated, asset survives): Wilson score interval (Wilson 1927;
  Brown, Cai & DasGupta 2001, "Interval estimation for a binomial proportion", Stat. Sci. 16);
- *ratio* of totals over runs (interceptors per kill = Σ fired / Σ kills; exchange ratio = Σ kills
  / Σ fired, threats killed per interceptor fired): ratio estimator R = Σy/Σx with the delta-method
  (linearisation) variance Σ(yᵢ − R xᵢ)² / (n(n−1) x̄²) and a t interval (Cochran 1977, Sampling
  Techniques, §6.4).

Each metric also gives per-run *influence values* zᵢ whose mean is the estimate to first order;
paired differences between alternatives run with common random numbers are t intervals on
z_B − z_A over the shared runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as sps

LEVEL = 0.95


@dataclass(frozen=True)
class Metric:
    """One metric's per-run data: ``values`` (mean/proportion), or ``num``/``den`` (ratio of totals)."""

    name: str
    kind: str  # "mean" | "proportion" | "ratio" | "time" (a mean of times: t interval, never a count's)
    values: np.ndarray | None = None
    num: np.ndarray | None = None
    den: np.ndarray | None = None
    unit: str = ""

    @property
    def n(self) -> int:
        """Runs the metric is computed over (a time: the runs where it happened)."""
        if self.kind == "time":
            return int(np.count_nonzero(np.isfinite(self.values)))
        return len(self.values if self.values is not None else self.num)

    def estimate(self) -> float:
        if self.kind == "ratio":
            total = self.den.sum()
            return float(self.num.sum() / total) if total > 0 else float("nan")
        if self.kind == "time":  # over the runs where it happened (NaN where it did not)
            return float(np.mean(self.values[np.isfinite(self.values)])) if self.n else float("nan")
        return float(np.mean(self.values)) if self.n else float("nan")

    def influence(self) -> np.ndarray:
        """Per-run values whose mean equals the estimate to first order (for paired differences)."""
        if self.kind != "ratio":
            return np.asarray(self.values, float)
        r, mean_den = self.estimate(), self.den.mean() if self.n else 0.0
        if not mean_den > 0:
            return np.full(self.n, np.nan)
        return r + (self.num - r * self.den) / mean_den

    def zero_spread(self) -> bool:
        """A mean of counts over two or more runs that is the same in every run."""
        v = self.values
        return self.kind == "mean" and self.n >= 2 and bool(np.all(v == v[0])) and float(v[0]).is_integer() and v[0] >= 0

    def interval(self, level: float = LEVEL) -> tuple[float, float]:
        if self.kind == "proportion":
            return wilson_interval(int(np.sum(self.values)), self.n, level)
        if self.zero_spread():
            return poisson_mean_interval(int(round(np.sum(self.values))), self.n, level)
        if self.kind == "time":
            return t_interval(self.values[np.isfinite(self.values)], level)
        lo, hi = t_interval(self.influence(), level)
        return max(lo, 0.0), hi  # the other metrics are counts or ratios of counts: never negative

    def summary(self, level: float = LEVEL) -> dict:
        lo, hi = self.interval(level)
        method = {"mean": "t", "time": "t", "proportion": "Wilson", "ratio": "ratio, delta method"}[self.kind]
        if self.zero_spread():
            method = "exact Poisson (same count in every run)"
        out = dict(metric=self.name, kind=self.kind, estimate=self.estimate(), lo=lo, hi=hi,
                   half_width=(hi - lo) / 2, n=self.n, method=method, unit=self.unit)
        if self.kind == "time":  # a time that never happened (or in one run only) is missing, not a number
            out.update({k: None for k in ("estimate", "lo", "hi", "half_width") if not math.isfinite(out[k])})
        return out

    def head(self, n: int) -> "Metric":
        """The metric over the first ``n`` runs (convergence)."""
        cut = lambda a: None if a is None else a[:n]
        return Metric(self.name, self.kind, cut(self.values), cut(self.num), cut(self.den), self.unit)


def t_interval(x, level: float = LEVEL) -> tuple[float, float]:
    """Student-t interval for the mean of ``x`` (NaN bounds with fewer than two values)."""
    x = np.asarray(x, float)
    n = x.size
    if n < 2 or not np.all(np.isfinite(x)):
        m = float(np.mean(x)) if n and np.all(np.isfinite(x)) else float("nan")
        return (m, m) if n >= 2 else (float("nan"), float("nan"))
    m, s = x.mean(), x.std(ddof=1)
    h = sps.t.ppf(0.5 + level / 2, n - 1) * s / np.sqrt(n)
    return float(m - h), float(m + h)


def poisson_mean_interval(total: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Exact (Garwood 1936) interval for the mean count per run, from ``total`` events over ``n`` runs.

    Two-sided [χ²((1−level)/2; 2S)/2n, χ²((1+level)/2; 2S+2)/2n]; for S = 0 the lower bound is 0
    exactly and the whole 1 − level goes to the upper bound: −ln(1 − level)/n (2.996/n at 95 %).
    """
    if n <= 0:
        return float("nan"), float("nan")
    alpha = 1.0 - level
    if total == 0:
        return 0.0, float(-np.log(alpha) / n)
    lo = sps.chi2.ppf(alpha / 2, 2 * total) / (2 * n)
    hi = sps.chi2.ppf(1 - alpha / 2, 2 * total + 2) / (2 * n)
    return float(lo), float(hi)


def wilson_interval(successes: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Brown, Cai & DasGupta 2001, eq. 4)."""
    if n <= 0:
        return float("nan"), float("nan")
    z = sps.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


@dataclass
class PerRun:
    """Per-run outcome arrays of a study's successful runs, in run-index order."""

    run_index: np.ndarray
    leakers: np.ndarray
    killed: np.ndarray
    n_threats: np.ndarray
    rounds_fired: np.ndarray
    leakers_by_raid: dict = field(default_factory=dict)
    leakers_by_asset: dict = field(default_factory=dict)
    first_track_by_raid: dict = field(default_factory=dict)  # raid -> (runs,) its first confirmed track, s; NaN: never

    def subset(self, run_indices) -> "PerRun":
        """The same outcomes restricted to ``run_indices`` (sorted; each must be present)."""
        k = np.searchsorted(self.run_index, np.sort(np.asarray(run_indices, int)))
        return PerRun(self.run_index[k], self.leakers[k], self.killed[k], self.n_threats[k], self.rounds_fired[k],
                      {r: v[k] for r, v in self.leakers_by_raid.items()}, {a: v[k] for a, v in self.leakers_by_asset.items()},
                      {r: v[k] for r, v in self.first_track_by_raid.items()})


def per_run(runs, threats, units, raids=(), assets=()) -> PerRun:
    """Per-run outcomes from the store's ``runs``, ``threats`` and ``units`` tables (pyarrow)."""
    ok = np.asarray(runs.column("status").to_pylist()) == "ok"
    idx = np.sort(np.asarray(runs.column("run_index").to_numpy(zero_copy_only=False))[ok])
    pos = {int(i): k for k, i in enumerate(idx)}
    t_run = np.asarray(threats.column("run_index").to_numpy(zero_copy_only=False))
    keep = np.array([int(i) in pos for i in t_run], bool)
    row = np.array([pos[int(i)] for i in t_run[keep]], int)
    fate = np.asarray(threats.column("fate").to_pylist(), object)[keep]
    leaked, killed = fate == "leaked", fate == "killed"
    count = lambda mask: np.bincount(row[mask], minlength=idx.size)
    raid = np.asarray(threats.column("raid").to_pylist(), object)[keep]
    target = np.asarray(threats.column("target").to_pylist(), object)[keep]
    raids = list(dict.fromkeys(list(raids) + list(dict.fromkeys(raid))))
    assets = list(dict.fromkeys(list(assets) + list(dict.fromkeys(target))))
    u_run = np.asarray(units.column("run_index").to_numpy(zero_copy_only=False))
    u_keep = np.array([int(i) in pos for i in u_run], bool)
    rounds = np.bincount([pos[int(i)] for i in u_run[u_keep]],
                         weights=np.asarray(units.column("rounds_fired").to_numpy(zero_copy_only=False))[u_keep],
                         minlength=idx.size)
    first = {}
    if "first_track_s" in threats.column_names:  # stores written before it have no such column
        ft = np.asarray([np.nan if v is None else v for v in threats.column("first_track_s").to_pylist()], float)[keep]
        for r in raids:
            sel = (raid == r) & np.isfinite(ft)
            first[r] = np.full(idx.size, np.nan)
            np.fmin.at(first[r], row[sel], ft[sel])
    return PerRun(run_index=idx, leakers=count(leaked), killed=count(killed), n_threats=count(np.ones(row.size, bool)),
                  rounds_fired=rounds, leakers_by_raid={r: count(leaked & (raid == r)) for r in raids},
                  leakers_by_asset={a: count(leaked & (target == a)) for a in assets}, first_track_by_raid=first)


def metrics(pr: PerRun) -> list[Metric]:
    """The study metrics, in report order."""
    out = [Metric("leakers (all raids)", "mean", pr.leakers.astype(float), unit="threats per run")]
    if len(pr.leakers_by_raid) > 1:
        out += [Metric(f"leakers: raid {r}", "mean", v.astype(float), unit="threats per run")
                for r, v in pr.leakers_by_raid.items()]
    out.append(Metric("P(raid annihilation)", "proportion", (pr.killed == pr.n_threats).astype(float)))
    out += [Metric(f"P(asset {a} survives)", "proportion", (v == 0).astype(float)) for a, v in pr.leakers_by_asset.items()]
    out += [Metric("interceptors fired", "mean", pr.rounds_fired.astype(float), unit="rounds per run"),
            Metric("interceptors per kill", "ratio", num=pr.rounds_fired.astype(float), den=pr.killed.astype(float),
                   unit="rounds / kill"),
            Metric("exchange ratio", "ratio", num=pr.killed.astype(float), den=pr.rounds_fired.astype(float),
                   unit="kills / round")]
    # when the defence first held a confirmed track of any raider of the raid (any unit, sensor site or
    # command post: the summary's first_track_s), over the runs that tracked it (n says how many; a
    # paired difference is over the runs where both alternatives did)
    out += [Metric(f"first track: raid {r}", "time", v, unit="s") for r, v in pr.first_track_by_raid.items()]
    return out


CONVERGENCE_METRICS = ("leakers (all raids)", "P(raid annihilation)", "interceptors per kill")


def convergence(ms: list[Metric], names=CONVERGENCE_METRICS, n_points: int = 12) -> dict:
    """Interval half-width against the number of runs (first n runs), for the named metrics."""
    n = ms[0].n if ms else 0
    grid = np.unique(np.geomspace(min(n, 5), n, n_points).astype(int)) if n >= 2 else np.array([n])
    by_name = {m.name: m for m in ms}
    return {"n": grid.tolist(),
            **{name: [by_name[name].head(int(k)).summary()["half_width"] for k in grid] for name in names if name in by_name}}


@dataclass
class Statistics:
    """The statistics of one study: ``rows`` (one dict per metric), ``convergence``, ``per_run``."""

    rows: list[dict]
    convergence: dict
    per_run: PerRun
    n_failed: int = 0

    def table(self):
        import pyarrow as pa

        return pa.Table.from_pylist(self.rows)

    def row(self, metric: str) -> dict:
        return next(r for r in self.rows if r["metric"] == metric)


def statistics(runs, threats, units, raids=(), assets=()) -> Statistics:
    pr = per_run(runs, threats, units, raids, assets)
    ms = metrics(pr)
    n_failed = int(np.sum(np.asarray(runs.column("status").to_pylist()) != "ok"))
    return Statistics([m.summary() for m in ms], convergence(ms), pr, n_failed)


def paired_difference(base: Metric, other: Metric, level: float = LEVEL) -> dict:
    """``other − base`` over the same runs (common random numbers), with a t interval on paired influences."""
    d = other.influence() - base.influence()
    n = base.n
    if base.kind == "time":  # over the runs where it happened in both alternatives
        d = d[np.isfinite(d)]
        n = d.size
    lo, hi = t_interval(d, level)
    if base.kind == "proportion":
        lo, hi = max(lo, -1.0), min(hi, 1.0)
    est = float(np.mean(d)) if base.kind == "time" and d.size else other.estimate() - base.estimate()
    return dict(metric=base.name, base=base.estimate(), other=other.estimate(), difference=est, lo=lo, hi=hi,
                half_width=(hi - lo) / 2, n=n, unit=base.unit)
