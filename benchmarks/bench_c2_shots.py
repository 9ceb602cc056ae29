"""Do C2's shots land? Over seeds of each bundled example: the share of launches that end below
the missile's minimum speed or at its maximum flight time, and how far the time of flight C2
predicted at ``assign`` is from the flight that followed (issue #14 item 4).

    python benchmarks/bench_c2_shots.py                 # 20 seeds of every examples/*.yaml
    python benchmarks/bench_c2_shots.py --seeds 3 examples/murted_2019.yaml

Read from the run as it happens, not from event text: each ``assign`` row's
``Orders.predicted_tof_s`` and each interceptor's end (:class:`iadsim.flyout.stage.Outcomes`:
time of the closest approach or of the self-destruct, and the reason). A launch is matched to
the assign row of its unit, track and missile that ordered it (the latest one at or before the
launch). The intercept time predicted at ``assign`` is the order's time + the unit's reaction
time + the predicted time of flight; its error is |predicted − actual| / actual, both counted
from the order (actual = the closest approach's time − the order's time), for rounds that
reached their closest approach, first round of each order (later rounds of a salvo launch
``salvo_spacing_s`` later against a target that moved on). The same for the time of flight
alone (from the round's own launch) is printed beside it: for the shortest flights (a few
seconds at a diving ballistic target) the step the launch falls in weighs on it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# Not measured here: examples whose targets defeat a constant-velocity intercept prediction by design.
# sead_strike: strikers turn back after their release and the tracks are jammed; shots at the fleeing
# strikers end below the missile's minimum speed (9 of 40 launches over seeds 0-1, README "Electronic
# attack"), a limit of the C2's prediction that this benchmark is not meant to measure.
NOT_MEASURED = {"sead_strike"}
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.stem not in NOT_MEASURED)
BAD_ENDS = ("low_speed", "timeout")


@dataclass
class ShotLog:
    """What one run's C2 ordered and how its rounds ended (filled by the hooks below)."""

    assigns: list = field(default_factory=list)  # (t_s, unit, track_id, weapon, predicted_tof_s, class)
    launches: dict = field(default_factory=dict)  # interceptor id -> (t_s, unit, track_id, weapon)
    ends: dict = field(default_factory=dict)  # interceptor id -> (t_end_s, reason)
    reaction_time_s: tuple = ()  # per unit


def _hooked_recorder(log: ShotLog):
    """A Recorder subclass that copies the structured orders, launches and outcomes into log."""
    from iadsim.record import Recorder

    class Hooked(Recorder):
        def orders(self, t, u, orders):
            classes = [d.split("class=")[1].split()[0] if "class=" in d else "?" for d in orders.detail]
            for i in range(len(orders.track_id)):
                log.assigns.append((t, u, int(orders.track_id[i]), int(orders.weapon_idx[i]),
                                    float(orders.predicted_tof_s[i]), classes[i] if classes else "?"))
            super().orders(t, u, orders)

        def launches(self, t, launch, ids, start):
            for i in np.asarray(ids).tolist():
                log.launches[i] = (t, launch.unit, launch.track_id, launch.weapon)
            super().launches(t, launch, ids, start)

        def intercepts(self, icpt, out, th):
            idx = np.concatenate([out.hit, out.miss])
            reasons = ["cpa"] * out.hit.size + [str(r) for r in out.reason]
            for k, i in enumerate(idx.tolist()):
                log.ends[int(icpt.id[i])] = (float(out.t_cpa_s[k]), reasons[k])
            super().intercepts(icpt, out, th)

    return Hooked


def run_example(path: Path, seeds) -> list[ShotLog]:
    """Run ``path`` once per seed with the hooked recorder; the logs in seed order."""
    from iadsim import engine
    from iadsim.compile import compile_scenario
    from iadsim.scenario import load_scenario

    sc = load_scenario(path)
    comp = compile_scenario(sc)
    logs = []
    real = engine.Recorder
    try:
        for seed in seeds:
            log = ShotLog(reaction_time_s=tuple(float(x) for x in comp.world.units.reaction_time_s))
            engine.Recorder = _hooked_recorder(log)
            engine.run_compiled(sc, comp, int(seed))
            logs.append(log)
    finally:
        engine.Recorder = real
    return logs


def shot_stats(logs) -> dict:
    """Launches, the share ending below min speed or at max flight time, and the relative
    errors of the predicted intercept time and time of flight (first round of each order,
    ended at its CPA)."""
    n_launch, n_bad, errors, tof_errors, worst = 0, 0, [], [], []
    for log in logs:
        first_round = {}
        for iid, (t_l, u, trk, w) in sorted(log.launches.items(), key=lambda kv: (kv[1][0], kv[0])):
            n_launch += 1
            end = log.ends.get(iid)
            if end is not None and end[1] in BAD_ENDS:
                n_bad += 1
            orders = [a for a in log.assigns if a[1] == u and a[2] == trk and a[3] == w and a[0] <= t_l]
            if not orders or end is None or end[1] != "cpa":
                continue
            order = orders[-1]
            if first_round.setdefault((order[0], u, trk, w), iid) != iid:
                continue  # a later round of the same salvo
            predicted = log.reaction_time_s[u] + order[4] if log.reaction_time_s else order[4]
            actual = end[0] - order[0]
            err = abs(predicted - actual) / max(actual, 1e-9)
            errors.append(err)
            tof_errors.append(abs(order[4] - (end[0] - t_l)) / max(end[0] - t_l, 1e-9))
            worst.append((err, predicted, actual, order[5]))
    errors, tof_errors = np.array(errors), np.array(tof_errors)
    worst.sort(reverse=True)
    return {"launches": n_launch, "bad_ends": n_bad, "bad_share": n_bad / max(n_launch, 1),
            "n_tof": errors.size, "err_max": float(errors.max()) if errors.size else None,
            "within_10pct": float(np.mean(errors <= 0.10)) if errors.size else None,
            "tof_err_max": float(tof_errors.max()) if errors.size else None,
            "tof_within_10pct": float(np.mean(tof_errors <= 0.10)) if errors.size else None,
            "worst": worst[:3]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("examples", nargs="*", type=Path, default=EXAMPLES)
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args(argv)
    for path in args.examples:
        st = shot_stats(run_example(path, range(args.seeds)))
        def pct(x):
            return "-" if x is None else f"{100 * x:.1f} %"

        worst = [(round(e, 3), round(p, 1), round(a, 1), c) for e, p, a, c in st["worst"]]
        print(f"{path.name}: {args.seeds} seeds, {st['launches']} launches, {st['bad_ends']} ended below "
              f"min speed or at max flight time ({pct(st['bad_share'])}); {st['n_tof']} first rounds: "
              f"predicted intercept time max error {pct(st['err_max'])} ({pct(st['within_10pct'])} within "
              f"10 %), time of flight alone max error {pct(st['tof_err_max'])} ({pct(st['tof_within_10pct'])} "
              f"within 10 %); worst (error, predicted s, actual s from the order, class): {worst}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
