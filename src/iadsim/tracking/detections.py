"""Radar detections (range/azimuth/elevation[/range rate]): what sensing emits and the tracker
reads (one type), and Cartesian detections (a position sensor, for the tracker alone).

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
_INT_FIELDS = ("radar_id", "truth_id", "unit_idx")


def _check(obj, shapes: dict[str, tuple]) -> None:
    n = np.shape(obj.t_s)
    if len(n) != 1:
        raise ValueError(f"t_s: expected a 1-D array, got shape {n}")
    n = n[0]
    for name, tail in shapes.items():
        a = getattr(obj, name)
        if a is None:
            continue
        a = np.asarray(a, dtype=np.int64 if name in _INT_FIELDS else np.float64)
        object.__setattr__(obj, name, a)
        if a.shape != (n, *tail):
            raise ValueError(f"{name}: expected shape {(n, *tail)}, got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name}: contains NaN or infinite values")
    if n and (obj.radar_id.min() < 0 or obj.radar_id.max() > MAX_RADAR_ID):
        raise ValueError(f"radar_id: expected values in 0..{MAX_RADAR_ID}")


@dataclass(frozen=True)
class Detections:
    """Radar detections of one or several radars, scenario ENU frame, SI units, radians.

    Azimuth is clockwise from north, elevation up from the ENU horizontal plane, both on the
    scenario's ENU axes as seen from ``radar_pos_enu_m`` (a stationary radar); the engine's
    sensing measures in each site's own horizon frame and rotates once, in
    :func:`iadsim.sensing.measured_detections`. ``range_rate_mps`` (positive opening) and its
    sigma are optional and must be given together. The engine's sensing also fills ``unit_idx``
    (the radar's unit: which tracker gets the row), ``snr_db`` (dwell SNR) and ``pos_enu_m`` (the
    measured position), which the tracker does not read; ``radar_idx`` is ``radar_id`` (the
    engine's global radar row).
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
    unit_idx: np.ndarray | None = None  # (n,) int, the radar's unit (engine: which tracker)
    snr_db: np.ndarray | None = None  # (n,) dwell SNR (n_pulses × mean per-pulse SNR), dB (record)
    pos_enu_m: np.ndarray | None = None  # (n, 3) measured position, scenario ENU (record)

    def __post_init__(self) -> None:
        object.__setattr__(self, "t_s", np.asarray(self.t_s, dtype=np.float64))
        shapes = {f.name: () for f in fields(self)}
        shapes["radar_pos_enu_m"] = shapes["pos_enu_m"] = (3,)
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

    @classmethod
    def empty(cls) -> Detections:
        """No detections (the radars looked and saw nothing), with every column present."""
        z = np.zeros(0)
        i = z.astype(np.int64)
        return cls.trusted(t_s=z, radar_id=i, radar_pos_enu_m=np.zeros((0, 3)), range_m=z, az_rad=z, el_rad=z,
                           sigma_range_m=z, sigma_az_rad=z, sigma_el_rad=z, range_rate_mps=z, sigma_range_rate_mps=z,
                           truth_id=i, unit_idx=i, snr_db=z, pos_enu_m=np.zeros((0, 3)))

    @classmethod
    def concat(cls, parts) -> Detections:
        """Rows of several Detections with the same columns present, in order (unchecked)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls.trusted(**{f.name: None if getattr(parts[0], f.name) is None else
                              np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    @property
    def radar_idx(self) -> np.ndarray:
        """``radar_id`` under the engine's name (global radar row)."""
        return self.radar_id

    @property
    def is_false_alarm(self) -> np.ndarray:
        """(n,) bool: no simulated origin (truth_id −1); all False without truth_id."""
        return np.zeros(len(self), bool) if self.truth_id is None else self.truth_id < 0

    def __len__(self) -> int:
        return len(self.t_s)

    def take(self, idx: np.ndarray) -> Detections:
        """Rows ``idx`` as a new Detections."""
        return Detections(**{f.name: None if getattr(self, f.name) is None else getattr(self, f.name)[idx]
                             for f in fields(self)})

    def rows(self, idx) -> Detections:
        """Rows ``idx`` (mask, indices or slice) as a new Detections, unchecked (a subset of
        checked or trusted rows)."""
        return Detections.trusted(**{f.name: None if getattr(self, f.name) is None else getattr(self, f.name)[idx]
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
