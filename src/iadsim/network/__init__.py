"""The network of an integrated air defence: standalone sensors, command posts and data links.

Sensors are tracking sites (rows of :class:`iadsim.state.Units` with radars and no weapons);
units and sensors report their confirmed tracks over links (:mod:`iadsim.network.links`) to a
command post, which fuses them into one air picture (:mod:`iadsim.network.fusion`).
:mod:`iadsim.network.model` holds the compiled network (arrays).
"""
