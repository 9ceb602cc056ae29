"""Structure-of-arrays state of interceptors in flight, the target view they guide on, and
the earth model of the flyout (a sphere through the scenario origin, gravity to its centre).
"""

from dataclasses import dataclass

import numpy as np

from iadsim.constants import EARTH_MEAN_RADIUS_M


@dataclass(frozen=True, slots=True)
class FlyoutEnv:
    """Earth model of the flyout in the scenario ENU frame.

    earth_centre_enu_m: (3,) m, the earth's centre (gravity points there, point mass GM).
    earth_radius_m: radius of the local sphere; altitude = |pos - centre| - earth_radius_m.
    ground_alt_m: interceptors below this altitude are destroyed (ground impact).

    The spherical altitude differs from WGS-84 ellipsoidal height by less than
    (a - b)·|sin 2φ|·Δφ ≈ 21 km × Δφ; about 1.3 km at 400 km north-south of the origin at
    mid latitudes and 0 at the origin, which moves the ISA density by under 20 % at 400 km.
    """

    earth_centre_enu_m: np.ndarray
    earth_radius_m: float
    ground_alt_m: float = 0.0

    @classmethod
    def from_origin(cls, origin, ground_alt_m: float = 0.0) -> "FlyoutEnv":
        """Sphere through the origin's ellipsoid surface point (``iadsim.geo.Origin``)."""
        centre = np.asarray(origin.earth_centre_enu_m, float)
        return cls(centre, float(np.linalg.norm(centre) - origin.alt_hae_m), ground_alt_m)

    @classmethod
    def local_sphere(cls, radius_m: float = EARTH_MEAN_RADIUS_M, ground_alt_m: float = 0.0):
        """Sphere of *radius_m* tangent to the ENU origin (centre straight below)."""
        return cls(np.array([0.0, 0.0, -radius_m]), float(radius_m), ground_alt_m)

    def up_enu(self, pos_enu_m):
        """Local vertical unit vectors (..., 3) at positions (..., 3) m."""
        r = np.asarray(pos_enu_m, float) - self.earth_centre_enu_m
        return r / np.linalg.norm(r, axis=-1, keepdims=True)

    def altitude_m(self, pos_enu_m):
        """Spherical altitude (...,) m of positions (..., 3) m."""
        r = np.asarray(pos_enu_m, float) - self.earth_centre_enu_m
        return np.linalg.norm(r, axis=-1) - self.earth_radius_m


@dataclass(frozen=True, slots=True)
class Interceptors:
    """Interceptors in flight, one row each (stable ``id``; dead rows keep ``alive=False``).

    pos_enu_m, vel_enu_mps: (n, 3) scenario ENU. mass_kg, t_flight_s: (n,).
    kind_idx: (n,) int64 row of the :class:`~iadsim.flyout.params.InterceptorTable`.
    is_terminal: (n,) bool, seeker (or TVM) homing has started; latched.
    min_range_m: (n,) closest distance to the target seen so far (diagnostic).
    prm_kn: (len(params.COL), n) per-row copy of the missile's table scalars, gathered
    once at launch so that the step does no per-step gathers (rows contiguous).
    seeker_los_enu: (n, 3) the homing loop's filtered line-of-sight direction (target −
    missile, near unit length; see :mod:`iadsim.flyout.kinematics`), zero until homing starts.
    Optional in the constructor (zeros).
    """

    id: np.ndarray
    kind_idx: np.ndarray
    alive: np.ndarray
    pos_enu_m: np.ndarray
    vel_enu_mps: np.ndarray
    mass_kg: np.ndarray
    t_flight_s: np.ndarray
    is_terminal: np.ndarray
    min_range_m: np.ndarray
    prm_kn: np.ndarray
    seeker_los_enu: np.ndarray = None

    def __post_init__(self):
        if self.seeker_los_enu is None:
            object.__setattr__(self, "seeker_los_enu", np.zeros((self.id.shape[0], 3)))

    @property
    def n(self) -> int:
        return self.id.shape[0]

    @classmethod
    def empty(cls) -> "Interceptors":
        from iadsim.flyout.params import COL

        z = np.zeros(0)
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool),
                   np.zeros((0, 3)), np.zeros((0, 3)), z, z.copy(), np.zeros(0, bool), z.copy(),
                   np.zeros((len(COL), 0)))

    def concat(self, other: "Interceptors") -> "Interceptors":
        """New state with *other*'s rows appended."""
        return Interceptors(*(np.concatenate([getattr(self, f), getattr(other, f)],
                                             axis=-1 if f == "prm_kn" else 0)
                              for f in self.__slots__))

    def take(self, idx) -> "Interceptors":
        """New state with rows *idx* (e.g. ``np.flatnonzero(s.alive)`` to compact)."""
        return Interceptors(*(getattr(self, f)[..., idx] if f == "prm_kn" else
                              getattr(self, f)[idx] for f in self.__slots__))


@dataclass(frozen=True, slots=True)
class TargetStates:
    """What each interceptor guides on, one row per interceptor (the engine gathers rows).

    pos_enu_m, vel_enu_mps, acc_enu_mps2: (n, 3) true target state at the step start; the
    flyout assumes constant acceleration within the step. The seeker (terminal phase) and
    the closest-approach test use these.
    est_pos_enu_m, est_vel_enu_mps: (n, 3) track estimate (with its error) for midcourse
    guidance toward the predicted intercept point. Default: the truth.
    vulnerability: (n,) the target's vulnerability in the kill draw
    (:func:`iadsim.flyout.endgame.p_kill`). Default: 1.
    """

    pos_enu_m: np.ndarray
    vel_enu_mps: np.ndarray
    acc_enu_mps2: np.ndarray | None = None
    est_pos_enu_m: np.ndarray | None = None
    est_vel_enu_mps: np.ndarray | None = None
    vulnerability: np.ndarray | None = None

    def filled(self) -> "TargetStates":
        """Copy with defaults resolved (zero acceleration, estimates = truth)."""
        acc = np.zeros_like(self.pos_enu_m) if self.acc_enu_mps2 is None else self.acc_enu_mps2
        ep = self.pos_enu_m if self.est_pos_enu_m is None else self.est_pos_enu_m
        ev = self.vel_enu_mps if self.est_vel_enu_mps is None else self.est_vel_enu_mps
        vul = np.ones(len(self.pos_enu_m)) if self.vulnerability is None else self.vulnerability
        return TargetStates(self.pos_enu_m, self.vel_enu_mps, acc, ep, ev, vul)


def launch_interceptors(table, kind_idx, launcher_pos_enu_m, aim_pos_enu_m, env: FlyoutEnv,
                        ids=None) -> Interceptors:
    """New interceptor rows leaving their launchers.

    kind_idx: (n,) rows of *table*; launcher_pos_enu_m, aim_pos_enu_m: (n, 3) m ENU.
    Each missile leaves at its catalog ``launch_speed_mps`` and ``launch_elevation_rad``
    (above the launcher's local horizon), in the vertical plane containing the aim point.
    """
    kind_idx = np.atleast_1d(np.asarray(kind_idx, np.int64))
    n = kind_idx.size
    pos = np.broadcast_to(np.asarray(launcher_pos_enu_m, float), (n, 3)).copy()
    aim = np.broadcast_to(np.asarray(aim_pos_enu_m, float), (n, 3))
    up = env.up_enu(pos)
    d = aim - pos
    horiz = d - np.sum(d * up, axis=-1, keepdims=True) * up
    hn = np.linalg.norm(horiz, axis=-1, keepdims=True)
    # Aim straight overhead: any horizontal direction will do; take ENU north projected.
    fallback = np.array([0.0, 1.0, 0.0]) - up[:, 1:2] * up
    horiz = np.where(hn > 1e-6, horiz, fallback)
    horiz /= np.linalg.norm(horiz, axis=-1, keepdims=True)
    el = np.array([table.params[k].launch_elevation_rad for k in range(len(table.names))])
    speed = np.array([table.params[k].launch_speed_mps for k in range(len(table.names))])
    el, speed = el[kind_idx][:, None], speed[kind_idx][:, None]
    vel = speed * (np.cos(el) * horiz + np.sin(el) * up)
    from iadsim.flyout.params import COL

    prm_kn = np.ascontiguousarray(table.scalars[kind_idx].T)
    ids = np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
    return Interceptors(ids, kind_idx, np.ones(n, bool), pos, vel,
                        prm_kn[COL["launch_mass_kg"]].copy(), np.zeros(n), np.zeros(n, bool),
                        np.full(n, np.inf), prm_kn)
