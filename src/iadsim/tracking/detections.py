"""Detections fed to the tracker: radar (range/azimuth/elevation[/range rate]) or Cartesian.

Both are small structure-of-arrays dataclasses, validated on construction: every array must be
finite and have the number of rows of ``t_s``; a violation raises ``ValueError`` naming the
field. Empty detections (zero rows) are normal. Radar ids must lie in 0..62 so that the
contributing radars of a track fit an int64 bit mask. The optional ``truth_id`` (the simulated
origin of each detection, −1 for clutter) is carried to the tracks for scoring only; the tracker
never uses it to decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

MAX_RADAR_ID = 62


def _check(obj, shapes: dict[str, tuple]) -> None:
    n = np.shape(obj.t_s)
    if len(n) != 1:
        raise ValueError(f"t_s: expected a 1-D array, got shape {n}")
    n = n[0]
    for name, tail in shapes.items():
        a = getattr(obj, name)
        if a is None:
            continue
        a = np.asarray(a, dtype=np.int64 if name in ("radar_id", "truth_id") else np.float64)
        object.__setattr__(obj, name, a)
        if a.shape != (n, *tail):
            raise ValueError(f"{name}: expected shape {(n, *tail)}, got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name}: contains NaN or infinite values")
    if n and (obj.radar_id.min() < 0 or obj.radar_id.max() > MAX_RADAR_ID):
        raise ValueError(f"radar_id: expected values in 0..{MAX_RADAR_ID}")


@dataclass(frozen=True)
class Detections:
    """Radar detections of one or several radars, ENU frame, SI units, radians.

    Azimuth is clockwise from north, elevation up from the ENU horizontal plane, both seen from
    ``radar_pos_enu_m`` (a stationary radar). ``range_rate_mps`` (positive opening) and its sigma
    are optional and must be given together.
    """

    t_s: np.ndarray  # (n,) detection time, s since scenario start
    radar_id: np.ndarray  # (n,) int 0..62
    radar_pos_enu_m: np.ndarray  # (n, 3)
    range_m: np.ndarray  # (n,)
    az_rad: np.ndarray  # (n,)
    el_rad: np.ndarray  # (n,)
    sigma_range_m: np.ndarray  # (n,)
    sigma_az_rad: np.ndarray  # (n,)
    sigma_el_rad: np.ndarray  # (n,)
    range_rate_mps: np.ndarray | None = None  # (n,)
    sigma_range_rate_mps: np.ndarray | None = None  # (n,)
    truth_id: np.ndarray | None = None  # (n,) int, scoring only

    def __post_init__(self) -> None:
        object.__setattr__(self, "t_s", np.asarray(self.t_s, dtype=np.float64))
        shapes = {f.name: () for f in fields(self)}
        shapes["radar_pos_enu_m"] = (3,)
        _check(self, shapes)
        if (self.range_rate_mps is None) != (self.sigma_range_rate_mps is None):
            raise ValueError("range_rate_mps: must be given together with sigma_range_rate_mps")
        for name in ("range_m", "sigma_range_m", "sigma_az_rad", "sigma_el_rad", "sigma_range_rate_mps"):
            a = getattr(self, name)
            if a is not None and np.any(a <= 0):
                raise ValueError(f"{name}: expected values > 0")

    @classmethod
    def trusted(cls, **arrays) -> Detections:
        """Build without the checks, for a producer that guarantees them (the engine's sensing
        stage: finite float64/int64 arrays of one length, positive sigmas, radar ids in range).
        The checks cost more than the tracking of a small scene; public callers use the constructor."""
        obj = object.__new__(cls)
        for f in fields(cls):
            object.__setattr__(obj, f.name, arrays.get(f.name))
        return obj

    def __len__(self) -> int:
        return len(self.t_s)

    def take(self, idx: np.ndarray) -> Detections:
        """Rows ``idx`` as a new Detections."""
        return Detections(**{f.name: None if getattr(self, f.name) is None else getattr(self, f.name)[idx]
                             for f in fields(self)})


@dataclass(frozen=True)
class CartesianDetections:
    """Position measurements in ENU with a full covariance (for example, a Stone Soup-style
    ``LinearGaussian`` position sensor); ``isotropic`` builds one with a per-axis sigma."""

    t_s: np.ndarray  # (n,)
    radar_id: np.ndarray  # (n,) int 0..62
    pos_enu_m: np.ndarray  # (n, 3)
    cov_enu_m2: np.ndarray  # (n, 3, 3)
    truth_id: np.ndarray | None = None  # (n,) int, scoring only

    def __post_init__(self) -> None:
        object.__setattr__(self, "t_s", np.asarray(self.t_s, dtype=np.float64))
        _check(self, {"t_s": (), "radar_id": (), "pos_enu_m": (3,), "cov_enu_m2": (3, 3), "truth_id": ()})

    @classmethod
    def isotropic(cls, t_s, pos_enu_m, sigma_m, radar_id=0, truth_id=None) -> CartesianDetections:
        """Detections with covariance ``sigma_m² I``; scalars broadcast to every row."""
        pos = np.asarray(pos_enu_m, dtype=np.float64)
        n = pos.shape[0] if pos.ndim == 2 else -1
        sig = np.broadcast_to(np.asarray(sigma_m, dtype=np.float64), (max(n, 0),))
        return cls(t_s=np.broadcast_to(np.asarray(t_s, np.float64), (max(n, 0),)),
                   radar_id=np.broadcast_to(np.asarray(radar_id), (max(n, 0),)),
                   pos_enu_m=pos, cov_enu_m2=sig[:, None, None] ** 2 * np.eye(3), truth_id=truth_id)

    def __len__(self) -> int:
        return len(self.t_s)

    def take(self, idx: np.ndarray) -> CartesianDetections:
        return CartesianDetections(self.t_s[idx], self.radar_id[idx], self.pos_enu_m[idx], self.cov_enu_m2[idx],
                                   None if self.truth_id is None else self.truth_id[idx])
