"""Scenario file schema (pydantic). Geodetic at this edge: degrees, metres, seconds.

Heights: without ``terrain``, the ground is the WGS-84 ellipsoid raised to ``origin.alt_m`` (the
ground level of the scenario, e.g. Mürted's 843 m) and every ``alt_agl_m`` below is height above
that ground. With ``terrain: {dem: ...}`` every ``alt_agl_m`` is height above the DEM's terrain at
that point (raids follow the terrain, :mod:`iadsim.threats.routes`; radars are masked by it,
:mod:`iadsim.terrain.horizon`); where no tile covers a point the ground is ``origin.alt_m``.
Unknown keys are errors: a typo must never be silently ignored.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from iadsim.catalog import MIN_SPEED_MPS  # noqa: F401  (one floor for waypoints and overridden threat speeds)

Lat = Annotated[float, Field(ge=-90.0, le=90.0, description="latitude, degrees north")]
Lon = Annotated[float, Field(ge=-180.0, le=180.0, description="longitude, degrees east")]
AltAgl = Annotated[float, Field(ge=0.0, le=200_000.0, description="height above the ground (the DEM's terrain when "
                                                                   "the scenario has one, else origin.alt_m), m")]

MIN_STEP_S = 0.01  # engine time-step floor, s
MAX_STEPS = 1_000_000  # most engine steps in a run (duration_s / step_s)
LOOK_BYTES_PER_STEP = 8  # the radar look table holds one int64 per step and radar (iadsim.sensing.look_table)
SEED_MAX = 2**63 - 1  # seeds are stored in signed 64-bit columns (results store) and fed to numpy SeedSequence


def _is_control(ch: str) -> bool:
    """Control characters (Unicode Cc: NUL, CR, LF, ESC...), line/paragraph separators and format
    characters (bidi overrides): never allowed in a name, which becomes a label in every output."""
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cf")


def _label(name: str) -> str:
    bad = sorted({f"U+{ord(c):04X}" for c in name if _is_control(c)})
    if bad:
        raise ValueError(f"names are labels: control characters and line separators are not allowed (found {', '.join(bad)})")
    if name.strip() != name or not name.strip():
        raise ValueError("a name must not be blank or start or end with spaces")
    return name


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_label)]


def _finite_leaves(node, path: str = "overrides"):
    """Overrides hold catalog numbers: NaN and infinities are refused at any depth (a YAML file's are
    refused with their line by the loader; this catches scenarios built in Python)."""
    if isinstance(node, dict):
        for k, v in node.items():
            _finite_leaves(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _finite_leaves(v, f"{path}.{i}")
    elif isinstance(node, float) and not math.isfinite(node):
        raise ValueError(f"{path}: expected a finite number, got {node!r}")
    return node


Overrides = Annotated[dict[str, Any], AfterValidator(_finite_leaves)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Origin(Strict):
    lat_deg: Lat
    lon_deg: Lon
    alt_m: float = Field(0.0, ge=-500.0, le=9000.0, description="ground level, m above the WGS-84 ellipsoid")


class TimeSpec(Strict):
    duration_s: float = Field(gt=0.0, le=86_400.0, description="simulated time, s")
    step_s: float = Field(1.0, ge=MIN_STEP_S, le=60.0, description=f"engine time step, s (at least {MIN_STEP_S} s)")
    stop_when_resolved: bool = Field(
        True, description="end the run early once every raider has a fate or has ended its trajectory, no "
        "interceptor is in flight and no launch is pending (nothing left can change the outcome for a raider)")

    @model_validator(mode="after")
    def _steps(self):
        if self.duration_s < self.step_s:
            raise ValueError(f"duration_s ({self.duration_s:g} s) is shorter than one step_s ({self.step_s:g} s)")
        n = math.ceil(self.duration_s / self.step_s - 1e-9)
        if n > MAX_STEPS:
            gib = n * LOOK_BYTES_PER_STEP / 2**30
            raise ValueError(f"duration_s / step_s = {n:,} steps; at most {MAX_STEPS:,} are allowed (the radar look "
                             f"table alone would need {gib:,.1f} GiB per radar); use a larger step_s")
        return self


class Asset(Strict):
    name: Name
    lat_deg: Lat
    lon_deg: Lon
    alt_agl_m: AltAgl = 0.0
    value: float = Field(gt=0.0, description="relative value of the asset (threat evaluation)")
    radius_m: float = Field(1000.0, gt=0.0, description="a threat within this distance has reached it")


ThreatClass = Literal["aircraft", "cruise_missile", "ballistic", "drone"]


class ClassRule(Strict):
    """Doctrine for one threat class (classes from kinematics, iadsim.c2.threat_eval)."""

    salvo: int | None = Field(None, ge=1, le=4, description="rounds per engagement of this class")
    weight: float | None = Field(None, ge=0.0, le=100.0, description="threat weight: value = asset value × weight")
    engage: Literal["any", "cheapest", "none"] | None = Field(
        None, description="which interceptors may engage: any, only the cheapest of the unit, or none")


class Doctrine(Strict):
    """Firing doctrine of one unit; catalog defaults (systems.yaml ``doctrine``) fill what is not given.

    Every engagement fires ``salvo`` rounds ``salvo_spacing_s`` apart, then waits for
    ``assessment_looks`` looks of the engagement radar; a survivor is engaged again.
    ``mode`` sets the default salvo: shoot_look_shoot 1 (the catalog's), salvo 2.
    """

    salvo: int | None = Field(None, ge=1, le=4, description="rounds fired at a threat per engagement")
    mode: Literal["shoot_look_shoot", "salvo"] = "shoot_look_shoot"
    salvo_spacing_s: float | None = Field(None, ge=0.0, le=60.0, description="time between rounds of a salvo, s")
    weapons_free: bool = Field(True, description="false = hold fire: track, evaluate, never launch")
    reserve_rounds: int = Field(0, ge=0, description="rounds of each missile type never fired")
    wta: Literal["heuristic", "mmr", "exact"] = Field("heuristic", description="weapon-target assignment solver")
    c2_cycle_s: float | None = Field(None, gt=0.0, le=60.0, description="C2 decision period, s")
    assessment_looks: int | None = Field(None, ge=1, le=10, description="engagement-radar looks before kill assessment")
    reload: bool = Field(True, description="false = no reloads (launchers stay empty)")
    class_rules: dict[ThreatClass, ClassRule] = Field(default_factory=dict, description="per-threat-class rules")


class Emission(Strict):
    """When a radar radiates (emission control, :mod:`iadsim.emission`). A silent radar detects nothing.

    ``always``: radiates throughout. ``schedule``: radiates inside the ``on`` intervals
    ([start_s, end_s] pairs, scenario time) only. ``when_cued``: radiates while its unit holds a
    confirmed track (from its other radars) and ``linger_s`` after the last one. With
    ``shutdown_on_arm``, it also falls silent for ``off_s`` when its unit holds a confirmed track
    of an anti-radiation missile within ``arm_range_km`` of it (the defence is assumed to
    recognise an ARM once it tracks it).
    """

    mode: Literal["always", "schedule", "when_cued"] = "always"
    on: list[tuple[float, float]] = Field(default_factory=list, description="schedule: [start_s, end_s] intervals radiating")
    linger_s: float = Field(30.0, ge=0.0, le=3600.0, description="when_cued: stays on this long after the last track, s")
    shutdown_on_arm: bool = Field(False, description="fall silent when an anti-radiation missile is tracked close")
    arm_range_km: float = Field(50.0, gt=0.0, le=1000.0, description="ARM warning range from this radar, km")
    off_s: float = Field(60.0, gt=0.0, le=86_400.0, description="silence after an ARM warning, s")

    @model_validator(mode="after")
    def _intervals(self):
        for a, b in self.on:
            if not 0.0 <= a < b:
                raise ValueError(f"on: each interval is [start_s, end_s] with 0 <= start_s < end_s, got [{a:g}, {b:g}]")
        if self.mode == "schedule" and not self.on:
            raise ValueError("mode schedule needs on: [[start_s, end_s], ...]")
        if self.mode != "schedule" and self.on:
            raise ValueError(f"on: intervals apply to mode schedule, not {self.mode}")
        return self


class Unit(Strict):
    name: Name
    system: str = Field(description="catalog system name, e.g. s400 or patriot")
    lat_deg: Lat
    lon_deg: Lon
    alt_agl_m: AltAgl = 0.0
    facing_deg: float = Field(0.0, ge=0.0, lt=360.0, description="boresight azimuth of sector radars, clockwise from north")
    doctrine: Doctrine = Doctrine()
    overrides: Overrides = Field(default_factory=dict, description="catalog numbers to replace, nested like the profile")
    command_post: str | None = Field(None, description="name of the command post this unit reports to and takes "
                                     "orders from (a link from the unit to it is required); none: autonomous")
    emission: dict[str, Emission] = Field(default_factory=dict, description="emission control per radar name (default: always on)")


class Waypoint(Strict):
    lat_deg: Lat
    lon_deg: Lon
    alt_agl_m: AltAgl
    speed_mps: float | None = Field(None, ge=MIN_SPEED_MPS, le=10_000.0,
                                    description="speed on the leg that starts here; catalog speed if absent")


class Terminal(Strict):
    """End-of-flight manoeuvre of a raid: flown as given, nothing searches for one.

    Route raids: pop up to ``popup_alt_agl_m`` within ``popup_range_m`` (ground distance) of the
    target, then dive on it at ``dive_angle_deg``; weave (sinusoidal heading, peak lateral
    acceleration ``weave_g``) within ``weave_range_m``. Ballistic raids: weave below
    ``weave_below_alt_agl_m``. Every manoeuvre stays inside the threat's catalog ``turn_g``.
    """

    popup_alt_agl_m: AltAgl | None = Field(None, description="pop-up height above the ground, m")
    popup_range_m: float | None = Field(None, gt=0.0, le=200_000.0, description="ground distance to the target where the pop-up starts, m")
    dive_angle_deg: float = Field(30.0, gt=0.0, le=90.0, description="terminal dive angle below the horizon (diving threats), deg")
    weave_g: float | None = Field(None, gt=0.0, le=40.0, description="peak lateral acceleration of the weave, in g")
    weave_period_s: float = Field(4.0, ge=1.0, le=120.0, description="period of the weave, s")
    weave_range_m: float | None = Field(None, gt=0.0, le=500_000.0, description="route raids: weave within this ground distance of the target, m")
    weave_below_alt_agl_m: float | None = Field(None, gt=0.0, le=200_000.0, description="ballistic raids: weave below this height, m")

    @model_validator(mode="after")
    def _pairs(self):
        if (self.popup_alt_agl_m is None) != (self.popup_range_m is None):
            raise ValueError("give both popup_alt_agl_m and popup_range_m, or neither")
        if self.weave_g is not None and self.weave_range_m is None and self.weave_below_alt_agl_m is None:
            raise ValueError("weave_g needs weave_range_m (route raids) or weave_below_alt_agl_m (ballistic raids)")
        return self


class Arc(Strict):
    """A ballistic arc from burnout onto a target: by its apogee or by its burnout speed (one of them)."""

    apogee_alt_m: float | None = Field(None, gt=0.0, le=1_500_000.0, description="apogee height above the sphere, m")
    burnout_speed_mps: float | None = Field(None, gt=0.0, le=7_000.0,
                                            description="speed at burnout (a release: at the release point), m/s")
    lofted: bool = Field(False, description="with burnout_speed_mps: the high (lofted) root instead of the depressed one")
    drag: bool = Field(True, description="ISA drag with the catalog ballistic coefficient; false: vacuum arc")

    @model_validator(mode="after")
    def _one_of(self):
        if (self.apogee_alt_m is None) == (self.burnout_speed_mps is None):
            raise ValueError("give exactly one of apogee_alt_m or burnout_speed_mps")
        return self


class BallisticLaunch(Arc):
    """A ballistic raid's launch: the raider appears at burnout, at the catalog's burnout height
    above (lat_deg, lon_deg), and flies a ballistic arc onto the raid's target asset."""

    lat_deg: Lat
    lon_deg: Lon


class Jammer(Strict):
    """A barrage-noise jammer on every raider of a raid (:mod:`iadsim.ea.jamming`). Fields not given
    come from the threat's catalog ``jammer``; give ``erp_dbw`` or ``power_w`` (with ``gain_db``)."""

    kind: Literal["self_screening", "escort", "stand_off"] | None = None
    erp_dbw: float | None = Field(None, ge=-30.0, le=120.0, description="effective radiated power towards the radars, dBW")
    power_w: float | None = Field(None, gt=0.0, le=1e7, description="transmitter power, W")
    gain_db: float | None = Field(None, ge=-20.0, le=60.0, description="antenna gain towards the radars, dBi")
    bandwidth_mhz: float | None = Field(None, gt=0.0, le=100_000.0, description="noise bandwidth, MHz")
    centre_ghz: float | None = Field(None, gt=0.0, le=100.0, description="centre frequency, GHz")
    loss_db: float | None = Field(None, ge=0.0, le=30.0, description="jammer losses, dB")

    @model_validator(mode="after")
    def _power(self):
        if self.erp_dbw is not None and (self.power_w is not None or self.gain_db is not None):
            raise ValueError("give erp_dbw, or power_w and gain_db, not both")
        return self


class RadarRef(Strict):
    """A radar of a unit: the unit's name and the catalog name of one of its radars."""

    unit: Name
    radar: str


class ReleaseArc(Arc):
    """A released weapon's ballistic arc from the release point (boost not modelled: the weapon is at
    burnout where and when it is released) onto its target; as :class:`BallisticLaunch` without a site."""


class Release(Strict):
    """Weapons released by every raider of a route raid (:mod:`iadsim.ea.releases`), at a waypoint or
    a time after the carrier's start; they fly ``route`` (optional waypoints) to ``target``. A
    carrier killed before the release releases nothing. ``turn_back``: the carrier turns back at
    this waypoint and flies its route in reverse to its first waypoint."""

    name: Name
    threat: str = Field(description="catalog threat name of the weapons")
    count: int = Field(1, ge=1, le=100, description="weapons per carrier")
    interval_s: float = Field(0.0, ge=0.0, le=600.0, description="time between one carrier's weapons, s")
    at_waypoint: int | None = Field(None, ge=0, description="release as the carrier passes this waypoint (0-based)")
    at_s: float | None = Field(None, ge=0.0, description="release this long after the carrier's start, s")
    target: str = Field(description="name of the asset the weapons fly to")
    route: list[Waypoint] = Field(default_factory=list, description="waypoints after release; the last leg goes to the target")
    ballistic: ReleaseArc | None = Field(None, description="a ballistic arc from the release point instead of a route")
    home_on: RadarRef | None = Field(None, description="anti-radiation weapons: the radar they home on")
    turn_back: bool = Field(False, description="the carrier turns back at the release waypoint")
    overrides: Overrides = Field(default_factory=dict)

    @model_validator(mode="after")
    def _when(self):
        if (self.at_waypoint is None) == (self.at_s is None):
            raise ValueError("give exactly one of at_waypoint or at_s")
        if self.turn_back and self.at_waypoint is None:
            raise ValueError("turn_back needs at_waypoint (the carrier turns back there)")
        if self.ballistic is not None and self.route:
            raise ValueError("give route (waypoints) or ballistic (an arc), not both")
        return self


class Raid(Strict):
    name: Name
    threat: str = Field(description="catalog threat name, e.g. cruise_missile")
    count: int = Field(1, ge=1, le=10_000)
    start_s: float = Field(0.0, ge=0.0)
    spacing_s: float = Field(0.0, ge=0.0, description="time between successive raiders on the route")
    target: str = Field(description="name of the defended asset the raid flies to")
    route: list[Waypoint] = Field(default_factory=list, description="waypoints flown in order; the last leg goes to the target")
    ballistic: BallisticLaunch | None = Field(None, description="a ballistic raid (instead of a route)")
    terminal: Terminal | None = Field(None, description="end-of-flight manoeuvre")
    overrides: Overrides = Field(default_factory=dict)
    jammer: Jammer | None = Field(None, description="noise jammer on every raider (catalog jammer if the threat has one)")
    releases: list[Release] = Field(default_factory=list, description="weapons released by every raider")
    home_on: RadarRef | None = Field(None, description="anti-radiation raids: the radar they home on")

    @model_validator(mode="after")
    def _route_or_ballistic(self):
        if bool(self.route) == (self.ballistic is not None):
            raise ValueError("give either route (waypoints) or ballistic (a launch point), not both or neither")
        term = self.terminal
        if term is not None and self.ballistic is not None and (term.popup_alt_agl_m is not None or term.weave_range_m is not None):
            raise ValueError("terminal: popup_* and weave_range_m apply to route raids; a ballistic raid weaves below "
                             "weave_below_alt_agl_m")
        if term is not None and self.route and term.weave_below_alt_agl_m is not None:
            raise ValueError("terminal: weave_below_alt_agl_m applies to ballistic raids; a route raid weaves within "
                             "weave_range_m of its target")
        return self


class TerrainSpec(Strict):
    """Elevation data (issue 19): SRTM .hgt tiles and/or north-up WGS-84 GeoTIFFs (iadsim.terrain.dem)."""

    dem: str = Field(min_length=1, description="a directory of SRTM .hgt tiles (N40E032.hgt) and/or GeoTIFF files, or "
                                               "one such file; relative to the scenario file")
    geoid_undulation_m: float = Field(ge=-120.0, le=100.0,
                                      description="geoid height N above the WGS-84 ellipsoid, m: the DEM's heights above "
                                                  "mean sea level plus N are heights above the ellipsoid (one value for "
                                                  "the scenario; EGM96/EGM2008 give N, e.g. GeographicLib GeoidEval); 0 "
                                                  "for a DEM already in ellipsoidal heights")


class Sensor(Strict):
    """A standalone radar site (early warning, gap filler): one catalog radar on its own position,
    reporting its tracks over a link to a command post (:mod:`iadsim.network`)."""

    name: Name
    radar: str = Field(description="catalog radar name, e.g. 55Zh6M or 96L6E")
    lat_deg: Lat
    lon_deg: Lon
    alt_agl_m: AltAgl = Field(0.0, description="height of the site above the scenario ground, m")
    antenna_height_m: float | None = Field(None, ge=0.0, le=500.0, description="antenna height above the site, m; "
                                           "the catalog's antenna_height if absent")
    facing_deg: float = Field(0.0, ge=0.0, lt=360.0, description="boresight azimuth of a sector radar, clockwise from north")
    command_post: str | None = Field(None, description="name of the command post the sensor reports to")
    emission: Emission | None = Field(None, description="emission control (default: always on); `when_cued` is for "
                                      "unit radars only")
    overrides: Overrides = Field(default_factory=dict, description="catalog radar numbers to replace")

    @model_validator(mode="after")
    def _emission_mode(self):
        if self.emission is not None and self.emission.mode == "when_cued":
            raise ValueError("emission: a sensor site has no other radar to cue it: use always or schedule "
                             "(shutdown_on_arm applies to both)")
        return self


class CommandPost(Strict):
    """A command post: fuses the tracks its subordinates report over their links into one air
    picture and assigns its subordinate units' weapons (:mod:`iadsim.network`). Subordinates name
    it (``command_post:``) or are listed in ``subordinates``."""

    name: Name
    profile: str = Field(description="catalog command-post profile, e.g. 55K6E")
    lat_deg: Lat
    lon_deg: Lon
    alt_agl_m: AltAgl = 0.0
    subordinates: list[Name] = Field(default_factory=list, description="units and sensors under this command post")
    lost_at_s: float | None = Field(None, ge=0.0, description="the command post is lost at this time (its units "
                                    "fall back to autonomous operation); never if absent, s")
    duplicate_engagements: bool = Field(False, description="true: units may engage a threat another unit engages")
    overrides: Overrides = Field(default_factory=dict, description="catalog command-post numbers to replace")


class Link(Strict):
    """A data link from a unit or sensor (``from``) to its command post (``to``): track reports go
    up every ``period_s`` and arrive ``latency_s`` later, at most ``capacity`` tracks per report,
    each lost with probability ``loss_probability``; orders come down with the same latency."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True,
                              serialize_by_alias=True)  # dumped as written: `from`

    source: Name = Field(alias="from", description="the reporting unit or sensor")
    to: Name = Field(description="the command post")
    latency_s: float = Field(1.0, ge=0.0, le=600.0, description="time from a report's sending to its arrival, s")
    period_s: float = Field(2.0, gt=0.0, le=600.0, description="time between reports, s")
    capacity: int = Field(100, ge=1, le=100_000, description="most tracks per report")
    loss_probability: float = Field(0.0, ge=0.0, lt=1.0, description="probability that one track report is lost")
    cut_at_s: float | None = Field(None, ge=0.0, description="the link is cut at this time; never if absent, s")


class Scenario(Strict):
    schema_version: Literal[1] = 1
    name: Name
    description: str = ""
    seed: int = Field(0, ge=0, le=SEED_MAX, strict=True, description="a whole number in [0, 2**63)")
    origin: Origin
    time: TimeSpec
    assets: list[Asset] = Field(min_length=1)
    units: list[Unit] = Field(default_factory=list)
    raids: list[Raid] = Field(min_length=1)
    terrain: TerrainSpec | None = Field(None, description="elevation data: terrain masking and terrain-following raids")
    sensors: list[Sensor] = Field(default_factory=list, description="standalone radar sites")
    command_posts: list[CommandPost] = Field(default_factory=list, description="command posts (iadsim.network)")
    links: list[Link] = Field(default_factory=list, description="data links from units and sensors to command posts")


class PathError(ValueError):
    """A semantic error at a known place in the scenario document."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message
