from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` run only when asked for (``pytest -m slow``; CI runs them after the
    default suite), so that the default ``pytest`` stays short."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: runs with pytest -m slow (CI runs it after the default suite)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


def readonly(*arrays):
    """Mark arrays read-only so that any mutation inside a 'pure' function fails at once."""
    for a in arrays:
        a.flags.writeable = False
    return arrays
