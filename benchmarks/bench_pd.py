"""Throughput of iadsim.physics.radar.pd against its goals and a naive scipy baseline.

Usage: ``python benchmarks/bench_pd.py [--n N] [--n-pulses 10] [--smoke]``

Times ``pd(snr_db, pfa=1e-6, n_pulses, swerling)`` over N SNR values spread over
-10..+20 dB for each Swerling case, on one core (BLAS/OpenMP threads pinned to 1 before
NumPy is imported), best of a few repeats. Goals (one core): >= 5e6 evaluations/s for
SW0-3, >= 1e6/s for SW4. The baseline is the textbook scipy form of each closed form
(``scipy.stats.ncx2.sf`` for SW0, N+1 ``gammaincc`` calls for SW4), timed in the same run.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import special, stats  # noqa: E402

from iadsim.physics.radar import pd  # noqa: E402

GOAL_EVALS_PER_S = {0: 5e6, 1: 5e6, 2: 5e6, 3: 5e6, 4: 1e6}
PFA = 1e-6


def naive_pd(snr_db, pfa, n, swerling):
    """Direct scipy evaluation of the closed forms (Meyer & Mayer 1973; Marcum 1960), no tricks (the baseline)."""
    s = 10.0 ** (np.asarray(snr_db) / 10.0)
    t = special.gammainccinv(n, pfa)
    if swerling == 0:
        return stats.ncx2.sf(2.0 * t, 2 * n, 2.0 * n * s)
    if swerling == 2:
        return special.gammaincc(n, t / (1.0 + s))
    if swerling == 4 or (swerling == 3 and n == 1):
        b = 1.0 + s / 2.0
        return sum(special.binom(n, m) * (1 - 1 / b) ** m * (1 / b) ** (n - m)
                   * special.gammaincc(n + m, t / b) for m in range(n + 1))
    k = n - 1 if swerling == 1 else n - 2
    b = 1.0 + n * s / (1.0 if swerling == 1 else 2.0)
    a = 1.0 - 1.0 / b
    head = special.gammaincc(k, t) if k > 0 else 0.0
    if swerling == 1:
        return head + a ** -k * np.exp(-t / b) * special.gammainc(k, a * t)
    return head + a ** -k * np.exp(-t / b) * ((1 + t / b) * special.gammainc(k, a * t)
                                             - k / (a * b) * special.gammainc(k + 1, a * t))


def _best_time_s(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(n=1_000_000, n_pulses=10, repeats=3, verbose=True):
    """Run the benchmark; return {swerling: (evals_per_s, naive_evals_per_s, max_abs_diff)}."""
    snr_db = np.linspace(-10.0, 20.0, n)
    results = {}
    for sw in range(5):
        ours = pd(snr_db, PFA, n_pulses, sw)
        base = naive_pd(snr_db, PFA, n_pulses, sw)
        diff = float(np.max(np.abs(ours - base)))
        rate = n / _best_time_s(lambda: pd(snr_db, PFA, n_pulses, sw), repeats)
        rate_naive = n / _best_time_s(lambda: naive_pd(snr_db, PFA, n_pulses, sw), repeats)
        results[sw] = (rate, rate_naive, diff)
        if verbose:
            goal = GOAL_EVALS_PER_S[sw]
            print(f"SW{sw}  N={n_pulses}  {rate:10.3e} evals/s  goal {goal:.0e} "
                  f"[{'ok' if rate >= goal else 'BELOW'}]  naive {rate_naive:10.3e}/s  "
                  f"x{rate / rate_naive:5.1f}  max|pd - naive| {diff:.1e}")
    return results


def _cli():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of SNR values")
    parser.add_argument("--n-pulses", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny size for CI (1000 values)")
    args = parser.parse_args()
    n = 1000 if args.smoke else args.n
    main(n=n, n_pulses=args.n_pulses, repeats=1 if args.smoke else args.repeats)


if __name__ == "__main__":
    _cli()
