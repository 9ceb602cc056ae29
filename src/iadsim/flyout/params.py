"""Interceptor flyout parameters: one frozen dataclass per missile, loaded from the catalog.

The figures are the ``flyout`` sub-tree of each missile profile in the one catalog,
`src/iadsim/catalog/missiles.yaml`, every number ``{value, unit, grade, src|method}`` (grades as in
:mod:`iadsim.catalog`: A two or more independent public sources, B one, C estimated or fitted).
Fitted numbers say in their method which public figure they were fitted to. The public range and
speed the fit reproduces (``public_max_range_m``, ``public_speed_mps``) are the profile's own
``max_range`` and ``max_speed`` (one figure, one place; 0 when the profile has no speed figure).
Inside the code everything is SI; the loader converts the few edge units (km, deg, g, kN) and
checks each field's unit against the field's metadata.

:class:`InterceptorTable` stacks several missiles' scalars into one ``(n_kinds, n_fields)``
array so the flyout step can gather per-interceptor parameters with one fancy-index.
"""

import difflib
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from iadsim.constants import G0_MPS2

CATALOG_PATH = Path(__file__).resolve().parents[1] / "catalog" / "missiles.yaml"  # the `flyout` key of each

WARHEAD_KINDS = ("blast_frag", "hit_to_kill")

# Edge unit -> (SI unit, factor). A YAML value in the edge unit is multiplied by the factor.
_UNIT_CONVERSIONS = {
    ("km", "m"): 1000.0,
    ("deg", "rad"): np.pi / 180.0,
    ("kN", "N"): 1000.0,
    ("g", "mps2"): G0_MPS2,
    ("mm", "m"): 1e-3,
    ("mrad", "rad"): 1e-3,
}
_UNIT_ALIASES = {"m/s": "mps", "m/s2": "mps2", "m/s^2": "mps2", "-": "1", "": "1"}


def _f(unit, doc, default=None):
    kw = {} if default is None else {"default": default}
    return field(metadata={"unit": unit, "doc": doc}, **kw)


@dataclass(frozen=True, slots=True, kw_only=True)
class InterceptorParams:
    """Flyout parameters of one interceptor type (3-DOF point mass), SI units."""

    name: str = _f("", "catalog key, e.g. '48N6E3'")
    launch_mass_kg: float = _f("kg", "mass at launch, including propellant")
    diameter_m: float = _f("m", "body diameter; reference area S = pi d^2 / 4")
    boost_thrust_n: float = _f("N", "boost-phase thrust (vacuum = sea level here)")
    boost_time_s: float = _f("s", "boost-phase burn time")
    boost_propellant_kg: float = _f("kg", "propellant burned in the boost phase")
    sustain_thrust_n: float = _f("N", "sustain-phase thrust (0 for a single-phase motor)", 0.0)
    sustain_time_s: float = _f("s", "sustain-phase burn time, starting at boost burnout", 0.0)
    sustain_propellant_kg: float = _f("kg", "propellant burned in the sustain phase", 0.0)
    cd_mach: tuple = _f("1", "Mach breakpoints of the zero-lift drag table (ascending)")
    cd0: tuple = _f("1", "zero-lift drag coefficient at each Mach breakpoint")
    induced_drag_k: float = _f("1", "induced drag CD_i = k * CN^2 (CN = lateral force / (q S))")
    cn_max: float = _f("1", "maximum normal-force coefficient (aerodynamic lateral limit)")
    g_limit: float = _f("g", "structural/autopilot lateral acceleration limit")
    tvc_lateral_g: float = _f("g", "lateral acceleration available from thrust-vector or "
                                   "gas-dynamic control while the motor burns", 0.0)
    launch_speed_mps: float = _f("mps", "speed leaving the canister (ejection/rail exit)")
    launch_elevation_rad: float = _f("rad", "launch elevation above the local horizon")
    max_flight_time_s: float = _f("s", "self-destruct time")
    min_speed_mps: float = _f("mps", "self-destruct below this speed after motor burnout")
    arm_time_s: float = _f("s", "fuze arming / seeker lock-on delay: no kill before this time")
    seeker_range_m: float = _f("m", "terminal-homing acquisition range (seeker or TVM)")
    nav_constant: float = _f("1", "terminal true-PN effective navigation ratio N'")
    guidance_time_constant_s: float = _f("s", "time constant T of the lumped first-order homing "
                                              "loop (seeker noise filter + autopilot); 0: ideal")
    seeker_glint_m: float = _f("m", "1-sigma target glint (apparent-centre wander) per seeker "
                                    "sample; angle noise glint / range")
    seeker_thermal_noise_rad: float = _f("rad", "1-sigma thermal angle noise per seeker sample "
                                                "at seeker_range_m, growing as (R / seeker "
                                                "range)^2")
    seeker_noise_sample_s: float = _f("s", "seeker sample interval Ts: angle noise of 1-sigma s "
                                           "per sample is white noise of density s^2 Ts")
    midcourse_nav_constant: float = _f("1", "midcourse navigation gain toward the PIP", 3.0)
    midcourse_speed_mps: float = _f("mps", "average speed assumed when predicting the PIP")
    dive_slope: float = _f("1", "midcourse shaping: slope (tan of the angle) of the dive line "
                                "rising from the PIP, and of the climb ramp (see "
                                "guidance.shaped_aim_m)")
    cruise_altitude_m: float = _f("m", "midcourse shaping: altitude of the cruise leg above the "
                                       "launcher's ground (targets above it: none)")
    shaping_lookahead_s: float = _f("s", "midcourse shaping: the aim point runs this long ahead "
                                         "(at midcourse_speed_mps) along the profile")
    warhead_kind: str = _f("", "'blast_frag' or 'hit_to_kill'")
    warhead_mass_kg: float = _f("kg", "warhead mass (documentation; lethality uses radius)")
    pk_max: float = _f("1", "single-shot kill probability at zero miss distance")
    lethal_radius_m: float = _f("m", "lethality-curve scale radius (see flyout.endgame)")
    public_max_range_m: float = _f("m", "public max aerodynamic range the fit reproduces (the "
                                        "profile's max_range)")
    public_speed_mps: float = _f("mps", "public maximum speed the fit reproduces (the profile's "
                                      "max_speed; 0: none)", 0.0)

    @property
    def reference_area_m2(self) -> float:
        return float(np.pi * self.diameter_m**2 / 4.0)

    @property
    def burnout_mass_kg(self) -> float:
        return self.launch_mass_kg - self.boost_propellant_kg - self.sustain_propellant_kg


def _norm_unit(unit):
    u = str(unit).strip()
    return _UNIT_ALIASES.get(u, u)


def _convert(name, entry, unit_expected):
    """One YAML entry {value, unit, ...} -> SI value; raises ValueError naming the field."""
    if not isinstance(entry, dict) or "value" not in entry:
        raise ValueError(f"{name}: expected a mapping with 'value' and 'unit', got {entry!r}")
    unit_given = _norm_unit(entry.get("unit", "1"))
    unit_expected = _norm_unit(unit_expected)
    value = entry["value"]
    if unit_given == unit_expected:
        factor = 1.0
    elif (unit_given, unit_expected) in _UNIT_CONVERSIONS:
        factor = _UNIT_CONVERSIONS[(unit_given, unit_expected)]
    else:
        raise ValueError(f"{name}: unit {entry.get('unit')!r} cannot be converted to "
                         f"{unit_expected!r}")
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(float(v) * factor for v in value)
    return float(value) * factor


def validate_params(p: InterceptorParams) -> InterceptorParams:
    """Raise ValueError with the field name and reason if *p* is not physically usable."""
    def bad(field_name, why):
        raise ValueError(f"interceptor {p.name!r}: {field_name}: {why}")

    for fld in fields(p):
        v = getattr(p, fld.name)
        if isinstance(v, float) and not np.isfinite(v):
            bad(fld.name, f"must be finite, got {v}")
        if isinstance(v, float) and v < 0.0:
            bad(fld.name, f"must be >= 0, got {v}")
    for phase in ("boost", "sustain"):
        thrust, t_b, prop = (getattr(p, f"{phase}_{k}") for k in ("thrust_n", "time_s",
                                                                 "propellant_kg"))
        if thrust > 0.0 and (t_b <= 0.0 or prop <= 0.0):
            bad(f"{phase}_thrust_n", f"thrust {thrust:g} N but no mass flow "
                f"({phase}_time_s={t_b:g}, {phase}_propellant_kg={prop:g}); "
                "a motor must burn propellant over a positive time")
        if prop > 0.0 and (thrust <= 0.0 or t_b <= 0.0):
            bad(f"{phase}_propellant_kg", "propellant without thrust or burn time")
    if p.boost_thrust_n <= 0.0:
        bad("boost_thrust_n", "must be > 0")
    if p.burnout_mass_kg <= 0.0:
        bad("boost_propellant_kg", f"propellant exceeds launch mass {p.launch_mass_kg:g} kg")
    if p.diameter_m <= 0.0:
        bad("diameter_m", "must be > 0")
    if len(p.cd_mach) != len(p.cd0) or len(p.cd_mach) < 2:
        bad("cd0", "needs as many values as cd_mach, at least two")
    if np.any(np.diff(p.cd_mach) <= 0.0):
        bad("cd_mach", "Mach breakpoints must be strictly ascending")
    if np.any(np.asarray(p.cd0) < 0.0):
        bad("cd0", "negative drag coefficient")
    if p.nav_constant <= 0.0:
        bad("nav_constant", f"navigation constant must be > 0, got {p.nav_constant:g}")
    if p.midcourse_nav_constant <= 0.0:
        bad("midcourse_nav_constant", "must be > 0")
    if (p.seeker_glint_m > 0.0 or p.seeker_thermal_noise_rad > 0.0) and (
            p.seeker_noise_sample_s <= 0.0 or p.guidance_time_constant_s <= 0.0):
        bad("seeker_noise_sample_s", "seeker noise needs a sample interval > 0 and a homing-loop "
            "time constant guidance_time_constant_s > 0 (the loop's filter)")
    if p.warhead_kind not in WARHEAD_KINDS:
        bad("warhead_kind", f"{p.warhead_kind!r} is not one of {WARHEAD_KINDS}")
    if not 0.0 <= p.pk_max <= 1.0:
        bad("pk_max", f"must be a probability in [0, 1], got {p.pk_max:g}")
    for name in ("lethal_radius_m", "max_flight_time_s", "g_limit", "cn_max", "launch_mass_kg",
                 "midcourse_speed_mps"):
        if getattr(p, name) <= 0.0:
            bad(name, "must be > 0")
    return p


@cache
def _catalog_raw():
    """Missile name -> its flyout mapping, with the profile's public range and speed added."""
    with open(CATALOG_PATH, encoding="utf-8") as fh:
        profiles = yaml.safe_load(fh)
    return {name: flyout_mapping(prof) for name, prof in profiles.items() if "flyout" in prof}


def flyout_mapping(prof: dict) -> dict:
    """A missile profile's ``flyout`` figures plus ``public_max_range_m``/``public_speed_mps`` taken
    from its ``max_range``/``max_speed`` (for :func:`params_from_mapping`); *prof* is the raw
    profile or its SI form (:func:`iadsim.catalog.si`)."""
    raw = dict(prof["flyout"])
    for field_name, key, si_key, unit in (("public_max_range_m", "max_range", "max_range_m", "m"),
                                          ("public_speed_mps", "max_speed", "max_speed_mps", "m/s")):
        if key in prof:
            raw[field_name] = prof[key]
        elif si_key in prof:
            raw[field_name] = {"value": prof[si_key], "unit": unit}
    return raw


def list_interceptors() -> list[str]:
    """Names of the missiles in the catalog."""
    return sorted(_catalog_raw())


def params_from_mapping(name: str, raw: dict) -> InterceptorParams:
    """Build and validate params from a catalog-style mapping {field: {value, unit, ...}}."""
    kw = {"name": name}
    known = {f.name: f for f in fields(InterceptorParams)}
    for key, entry in raw.items():
        if key in ("description",):
            continue
        if key not in known:
            close = difflib.get_close_matches(key, known, n=3)
            raise ValueError(f"interceptor {name!r}: unknown field {key!r}"
                             + (f"; did you mean {close}?" if close else ""))
        kw[key] = _convert(f"interceptor {name!r}: {key}", entry, known[key].metadata["unit"])
    missing = [f for f, d in known.items() if f not in kw and _has_no_default(d)]
    if missing:
        raise ValueError(f"interceptor {name!r}: missing fields {missing}")
    return validate_params(InterceptorParams(**kw))


def _has_no_default(fld):
    return fld.default is MISSING and fld.default_factory is MISSING


def load_interceptor_params(name: str) -> InterceptorParams:
    """Parameters of catalog missile *name* (e.g. '48N6E3'); ValueError if unknown or invalid."""
    raw = _catalog_raw()
    if name not in raw:
        by_lower = {k.lower().replace("-", ""): k for k in raw}
        key = by_lower.get(str(name).lower().replace("-", "").replace("_", ""))
        if key is None:
            close = difflib.get_close_matches(str(name), list(raw), n=3, cutoff=0.4)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"unknown interceptor {name!r}; catalog has "
                             f"{', '.join(sorted(raw))}.{hint}")
        name = key
    return params_from_mapping(name, raw[name])


# --- stacked table for the vectorised step ---------------------------------------------------

_SCALARS = (
    "launch_mass_kg", "reference_area_m2", "boost_thrust_n", "boost_time_s", "boost_mdot_kgps",
    "sustain_thrust_n", "burnout_time_s", "sustain_mdot_kgps", "induced_drag_k", "cn_max",
    "g_limit_mps2", "tvc_lateral_mps2", "max_flight_time_s", "min_speed_mps", "arm_time_s",
    "seeker_range_m", "nav_constant", "guidance_time_constant_s", "seeker_glint_m",
    "seeker_thermal_noise_rad", "seeker_noise_sample_s", "midcourse_nav_constant", "midcourse_speed_mps",
    "dive_slope", "cruise_altitude_m", "shaping_lookahead_s", "pk_max", "lethal_radius_m",
    "is_hit_to_kill",
)
COL = {k: i for i, k in enumerate(_SCALARS)}  # column index of each scalar in the table
CD_MACH_STEP = 0.05  # uniform Mach grid of the stacked drag tables (index arithmetic, no search)
CD_MACH_GRID = np.arange(0.0, 12.0 + CD_MACH_STEP / 2, CD_MACH_STEP)


@dataclass(frozen=True, slots=True)
class InterceptorTable:
    """Parameters of several missile kinds stacked for gathering by ``kind_idx``.

    scalars: (n_kinds, len(COL)) float64 — columns named in :data:`COL`, SI units.
    cd0_grid: (n_kinds, len(CD_MACH_GRID)) zero-lift drag resampled on a common Mach grid.
    """

    names: tuple
    scalars: np.ndarray
    cd0_grid: np.ndarray
    params: tuple

    @classmethod
    def from_params(cls, params_list) -> "InterceptorTable":
        rows, cds = [], []
        for p in params_list:
            validate_params(p)
            burnout_s = p.boost_time_s + p.sustain_time_s
            d = {
                "launch_mass_kg": p.launch_mass_kg,
                "reference_area_m2": p.reference_area_m2,
                "boost_thrust_n": p.boost_thrust_n,
                "boost_time_s": p.boost_time_s,
                "boost_mdot_kgps": p.boost_propellant_kg / p.boost_time_s,
                "sustain_thrust_n": p.sustain_thrust_n,
                "burnout_time_s": burnout_s,
                "sustain_mdot_kgps": (p.sustain_propellant_kg / p.sustain_time_s
                                      if p.sustain_time_s > 0 else 0.0),
                "induced_drag_k": p.induced_drag_k,
                "cn_max": p.cn_max,
                "g_limit_mps2": p.g_limit * G0_MPS2,
                "tvc_lateral_mps2": p.tvc_lateral_g * G0_MPS2,
                "max_flight_time_s": p.max_flight_time_s,
                "min_speed_mps": p.min_speed_mps,
                "arm_time_s": p.arm_time_s,
                "seeker_range_m": p.seeker_range_m,
                "nav_constant": p.nav_constant,
                "guidance_time_constant_s": p.guidance_time_constant_s,
                "seeker_glint_m": p.seeker_glint_m,
                "seeker_thermal_noise_rad": p.seeker_thermal_noise_rad,
                "seeker_noise_sample_s": p.seeker_noise_sample_s,
                "midcourse_nav_constant": p.midcourse_nav_constant,
                "midcourse_speed_mps": p.midcourse_speed_mps,
                "dive_slope": p.dive_slope,
                "cruise_altitude_m": p.cruise_altitude_m,
                "shaping_lookahead_s": p.shaping_lookahead_s,
                "pk_max": p.pk_max,
                "lethal_radius_m": p.lethal_radius_m,
                "is_hit_to_kill": float(p.warhead_kind == "hit_to_kill"),
            }
            rows.append([d[k] for k in _SCALARS])
            cds.append(np.interp(CD_MACH_GRID, p.cd_mach, p.cd0))
        return cls(tuple(p.name for p in params_list), np.array(rows, float),
                   np.array(cds, float), tuple(params_list))

    def index(self, name: str) -> int:
        """kind_idx of missile *name* in this table."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(f"{name!r} not in this table ({', '.join(self.names)})") from None
