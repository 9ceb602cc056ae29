"""The compiled network of a scenario: command posts, links and who reports to whom (arrays).

Sites are the rows of :class:`iadsim.state.Units`: the fire units (scenario ``units``, in order)
then the standalone sensors (scenario ``sensors``), each with its own tracker. A site reports
over one link to at most one command post. Times of loss are ``inf`` when never.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim import catalog, geo


@dataclass(frozen=True)
class Network:
    """Command posts (c,), links (l,) and the site -> link / command post maps (sites,)."""

    cp_name: list  # (c,)
    cp_profile: list  # (c,) catalog command-post names
    cp_pos_enu_m: np.ndarray  # (c, 3)
    cp_cycle_s: np.ndarray  # (c,) fusion and assignment period, s
    cp_processing_s: np.ndarray  # (c,) from the fused picture to an order leaving the command post, s
    cp_lost_at_s: np.ndarray  # (c,) inf = never
    cp_duplicates: np.ndarray  # (c,) bool: doctrine allows two units on one threat
    link_name: list  # (l,) "from -> to"
    link_site: np.ndarray  # (l,) int reporting site (row of Units)
    link_cp: np.ndarray  # (l,) int command post
    link_latency_s: np.ndarray  # (l,)
    link_period_s: np.ndarray  # (l,)
    link_capacity: np.ndarray  # (l,) int tracks per report
    link_loss_p: np.ndarray  # (l,) probability that one track report is lost
    link_cut_at_s: np.ndarray  # (l,) inf = never
    site_link: np.ndarray  # (sites,) int link of each site, -1 = none
    site_cp: np.ndarray  # (sites,) int command post of each site, -1 = none

    @property
    def n_cp(self) -> int:
        return len(self.cp_name)


def cp_profile(name: str, overrides: dict | None = None) -> dict:
    """A command post's profile in SI, with overrides (CatalogError naming the field)."""
    return catalog.si(catalog.apply_overrides(catalog.profile("command_posts", name), overrides or {},
                                              kind="command_posts"))


def subordinates(scenario) -> dict[str, str]:
    """Site name -> command-post name, from the units' and sensors' ``command_post`` and the command
    posts' ``subordinates`` (consistent: checked at load, :func:`iadsim.scenario.load.network_problems`)."""
    out = {}
    for cp in scenario.command_posts:
        for s in cp.subordinates:
            out[s] = cp.name
    for item in list(scenario.units) + list(scenario.sensors):
        if item.command_post is not None:
            out[item.name] = item.command_post
    return out


def compile_network(scenario, origin: geo.Origin, ground_m: float) -> Network | None:
    """The scenario's network in arrays; None without command posts (every unit autonomous)."""
    if not scenario.command_posts:
        return None
    sites = [u.name for u in scenario.units] + [s.name for s in scenario.sensors]
    cps = [c.name for c in scenario.command_posts]
    profs = [cp_profile(c.profile, c.overrides) for c in scenario.command_posts]
    sub = subordinates(scenario)
    links = scenario.links
    site_link = np.full(len(sites), -1, int)
    for i, ln in enumerate(links):
        site_link[sites.index(ln.source)] = i
    never = lambda x: np.inf if x is None else float(x)  # noqa: E731
    return Network(
        cp_name=cps, cp_profile=[c.profile for c in scenario.command_posts],
        cp_pos_enu_m=np.array([geo.geodetic_to_enu(np.radians(c.lat_deg), np.radians(c.lon_deg), ground_m + c.alt_agl_m,
                                                   origin) for c in scenario.command_posts]).reshape(-1, 3),
        cp_cycle_s=np.array([p["c2_cycle_s"] for p in profs], float),
        cp_processing_s=np.array([p["processing_time_s"] for p in profs], float),
        cp_lost_at_s=np.array([never(c.lost_at_s) for c in scenario.command_posts], float),
        cp_duplicates=np.array([c.duplicate_engagements for c in scenario.command_posts], bool),
        link_name=[f"{ln.source} -> {ln.to}" for ln in links],
        link_site=np.array([sites.index(ln.source) for ln in links], int),
        link_cp=np.array([cps.index(ln.to) for ln in links], int),
        link_latency_s=np.array([ln.latency_s for ln in links], float),
        link_period_s=np.array([ln.period_s for ln in links], float),
        link_capacity=np.array([ln.capacity for ln in links], int),
        link_loss_p=np.array([ln.loss_probability for ln in links], float),
        link_cut_at_s=np.array([never(ln.cut_at_s) for ln in links], float),
        site_link=site_link,
        site_cp=np.array([cps.index(sub[s]) if s in sub else -1 for s in sites], int),
    )
