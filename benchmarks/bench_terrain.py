"""Cost of terrain (issue 19): murted_2019 against the same scenario over a DEM (examples/terrain),
a single run and a study of N runs on one worker, each in a fresh process (cold caches: the DEM is
read and the horizon profiles computed inside the timing). CPU seconds of the process (the machine
may be shared: CPU time is steadier than wall time), and their ratio.

    python benchmarks/bench_terrain.py [--runs 8] [--repeat 2]
"""

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {"without terrain": ROOT / "examples" / "murted_2019.yaml",
         "with terrain": ROOT / "examples" / "terrain" / "murted_terrain.yaml"}
CHILD = """
import sys, time, warnings
warnings.simplefilter("ignore")
c0 = time.process_time()
import iadsim
sc = iadsim.load_scenario(sys.argv[1])
if sys.argv[2] == "1":
    iadsim.simulate(sc, seed=1)
else:
    iadsim.monte_carlo(sc, int(sys.argv[2]), workers=1, seed=3)
print(time.process_time() - c0)
"""


def cpu_s(path: Path, runs: int) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(runs)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8, help="runs of the study case")
    ap.add_argument("--repeat", type=int, default=2, help="repetitions (the best is kept)")
    args = ap.parse_args()
    for label, runs in (("single run", 1), (f"study of {args.runs} runs, 1 worker", args.runs)):
        best = {name: min(cpu_s(path, runs) for _ in range(args.repeat)) for name, path in CASES.items()}
        print(f"{label}: " + ", ".join(f"{k} {v:.2f} s" for k, v in best.items())
              + f"; ratio {best['with terrain'] / best['without terrain']:.2f}")


if __name__ == "__main__":
    main()
