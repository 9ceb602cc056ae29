from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


def readonly(*arrays):
    """Mark arrays read-only so that any mutation inside a 'pure' function fails at once."""
    for a in arrays:
        a.flags.writeable = False
    return arrays
