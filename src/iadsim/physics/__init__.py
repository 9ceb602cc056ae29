"""Physics kernels: pure, vectorised functions with no simulation state.

- :mod:`iadsim.physics.radar`: radar range equation (monostatic, bistatic, search), exact
  Swerling 0-4 detection probability and its inverse, noise jamming, measurement accuracy.
- :mod:`iadsim.physics.propagation`: effective-earth refraction, horizon, line of sight.

SI and linear inside; dB only in functions whose names say so (DESIGN.md). Citations in
docstrings are short forms of the entries in docs/REFERENCES.md.
"""

from iadsim.physics import propagation, radar

__all__ = ["propagation", "radar"]
