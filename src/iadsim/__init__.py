"""iadsim: an open simulator of integrated air-defence systems, from radar to kill assessment.

Simulation and analysis only: textbook physics and public-source figures, each with its
source and a confidence grade. Public API::

    import iadsim
    scenario = iadsim.load_scenario("examples/murted_2019.yaml")
    result = iadsim.simulate(scenario, seed=1)
    result.summary["totals"]
"""

__version__ = "0.1.0"


def load_scenario(path):
    """Read and validate a scenario file (see :mod:`iadsim.scenario`)."""
    from iadsim.scenario import load_scenario as _load

    return _load(path)


def simulate(scenario, seed=None, progress=None):
    """Run one scenario once; returns a :class:`iadsim.record.RunResult`."""
    from iadsim.engine import simulate as _simulate

    return _simulate(scenario, seed=seed, progress=progress)


def monte_carlo(scenario, runs, workers=None, store=None, seed=None, scheduler=None, **options):
    """Run a seeded Monte Carlo study (resumable); returns a :class:`iadsim.study.Study`."""
    from iadsim.study import monte_carlo as _monte_carlo

    return _monte_carlo(scenario, runs, workers=workers, store=store, seed=seed, scheduler=scheduler, **options)


__all__ = ["__version__", "load_scenario", "monte_carlo", "simulate"]
