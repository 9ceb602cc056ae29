"""Electronic attack and the raid entities that go with it (issue 18): noise jammers
(:mod:`~iadsim.ea.jamming`), released weapons (:mod:`~iadsim.ea.releases`), anti-radiation
missiles (:mod:`~iadsim.ea.arm`) and the per-run state the engine keeps of them
(:mod:`~iadsim.ea.runs`). Emission control lives in :mod:`iadsim.emission`."""
