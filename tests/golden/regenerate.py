"""Regenerate the golden outputs of the bundled examples (tests/golden/*.json); print what changed.

    python tests/golden/regenerate.py            # write, after printing every changed field
    python tests/golden/regenerate.py --check    # print only; exit 1 if anything changed

Review the printed changes before committing: each line names the example, the seed and the
field (summary value, or the digest of an event column / sample) that differs from the golden.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import golden_record as g  # noqa: E402


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = 0
    for name in g.SEEDS:
        new = g.compute(name)
        path = g.GOLDEN_DIR / f"{name}.json"
        old = json.loads(path.read_text()) if path.exists() else {}
        diff = g.differences(name, old, new)
        changed += len(diff)
        for line in diff:
            print(line)
        if diff and not check:
            path.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
            print(f"wrote {path.relative_to(g.ROOT)}")
    print(f"{changed} field(s) changed" + (" (nothing written: --check)" if check and changed else ""))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
