"""The bundled examples give what they gave when the goldens were last reviewed (summary and the
digest of every event column), independently of how the engine computes it.

On purpose model changes: regenerate with ``python tests/golden/regenerate.py`` (it prints every
changed example, seed and field) and review the printed changes in the commit.
"""

import pytest

import golden_record as g


@pytest.mark.parametrize("name", sorted(g.SEEDS))
def test_examples_match_their_goldens(name):
    diff = g.differences(name, g.load(name), g.compute(name))
    assert not diff, ("outputs differ from tests/golden (regenerate with `python tests/golden/regenerate.py` "
                      "after reviewing):\n" + "\n".join(diff[:40]))
