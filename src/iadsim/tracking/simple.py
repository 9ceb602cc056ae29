"""First tracker: one per unit, a batched Cartesian constant-velocity Kalman filter with gated GNN.

A deliberately simple stand-in so that the kill chain runs end to end; the batched
Kalman/IMM tracker of ``iadsim.tracking.mtt`` (issue 5) replaces it. Measurements are the
radar's converted positions with an isotropic covariance (the larger of the range and the
cross-range sigma), which is crude but conservative. Detections of one step are taken radar by
radar, so that two radars of a unit seeing one target update one track. Confirmation after
``confirm_hits`` hits; deletion after ``coast_s`` without an update.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from iadsim.state import Detections

GATE_CHI2_3DOF = 16.27  # 99.9 % gate for a 3-D position residual
INIT_SPEED_SIGMA_MPS = 700.0  # velocity uncertainty of a new track (covers aircraft and cruise missiles)
ACCEL_PSD_M2PS3 = 25.0  # white-acceleration process noise spectral density (m²/s³)

_FIELDS = ("id", "x", "p", "t_last_s", "hits", "confirmed", "truth_id", "radar_mask")


@dataclass
class SimpleTracker:
    coast_s: float
    confirm_hits: int = 3
    next_id: int = 0
    id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    x: np.ndarray = field(default_factory=lambda: np.zeros((0, 6)))  # [pos_enu_m, vel_enu_mps]
    p: np.ndarray = field(default_factory=lambda: np.zeros((0, 6, 6)))
    t_last_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hits: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    confirmed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    truth_id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # for scoring only
    radar_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def pos_enu_m(self) -> np.ndarray:
        return self.x[:, :3]

    @property
    def vel_enu_mps(self) -> np.ndarray:
        return self.x[:, 3:]

    def predicted(self, t_s: float) -> np.ndarray:
        """Track positions extrapolated to ``t_s`` at constant velocity, (k, 3) m."""
        return self.x[:, :3] + self.x[:, 3:] * (t_s - self.t_last_s)[:, None]

    def step(self, t_s: float, dets: Detections) -> tuple[np.ndarray, np.ndarray]:
        """Update with one step's detections; return (ids confirmed now, ids dropped now)."""
        was = self.confirmed.copy()
        ids_before = self.id.copy()
        for r in np.unique(dets.radar_idx):
            self._update_one_radar(t_s, dets, dets.radar_idx == r, int(r))
        stale = (t_s - self.t_last_s) > self.coast_s
        dropped = self.id[stale & self.confirmed]
        newly = self.confirmed & ~np.isin(self.id, ids_before[was])
        confirmed_now = self.id[newly & ~stale]
        self._keep(~stale)
        return confirmed_now, dropped

    def _predict(self, t_s: float) -> tuple[np.ndarray, np.ndarray]:
        dt = (t_s - self.t_last_s)[:, None, None]
        k = len(self.id)
        f = np.tile(np.eye(6), (k, 1, 1))
        f[:, :3, 3:] = np.eye(3) * dt
        i3 = np.eye(3)
        q = ACCEL_PSD_M2PS3 * np.concatenate([
            np.concatenate([i3 * dt**3 / 3, i3 * dt**2 / 2], axis=2),
            np.concatenate([i3 * dt**2 / 2, i3 * dt], axis=2)], axis=1)  # (k, 6, 6), white-acceleration CV
        x = np.einsum("kij,kj->ki", f, self.x)
        p = f @ self.p @ np.swapaxes(f, 1, 2) + q
        return x, p

    def _update_one_radar(self, t_s: float, dets: Detections, sel: np.ndarray, radar: int) -> None:
        z = dets.pos_enu_m[sel]
        var = np.maximum(dets.sigma_range_m[sel], dets.range_m[sel] * dets.sigma_angle_rad[sel]) ** 2
        x, p = self._predict(t_s)
        s = p[:, None, :3, :3] + var[None, :, None, None] * np.eye(3)  # (k, d, 3, 3)
        resid = z[None] - x[:, None, :3]
        d2 = np.einsum("kdi,kdi->kd", resid, np.linalg.solve(s, resid[..., None])[..., 0]) if len(x) else np.zeros((0, len(z)))
        cost = np.where(d2 <= GATE_CHI2_3DOF, d2, 1e12)
        rows, cols = linear_sum_assignment(cost) if cost.size else (np.zeros(0, int), np.zeros(0, int))
        ok = cost[rows, cols] < 1e12
        rows, cols = rows[ok], cols[ok]
        gain = p[rows][:, :, :3] @ np.linalg.inv(s[rows, cols])  # (m, 6, 3)
        self.x[rows] = x[rows] + np.einsum("mij,mj->mi", gain, resid[rows, cols])
        self.p[rows] = p[rows] - gain @ p[rows][:, :3, :]
        self.t_last_s[rows] = t_s
        self.hits[rows] += 1
        self.confirmed |= self.hits >= self.confirm_hits
        self.truth_id[rows] = dets.truth_id[sel][cols]
        self.radar_mask[rows] |= np.int64(1) << radar
        fresh = np.setdiff1d(np.arange(len(z)), cols)
        self._spawn(t_s, z[fresh], var[fresh], dets.truth_id[sel][fresh], radar)

    def _spawn(self, t_s: float, z: np.ndarray, var: np.ndarray, truth: np.ndarray, radar: int) -> None:
        k = len(z)
        p0 = np.zeros((k, 6, 6))
        p0[:, :3, :3] = var[:, None, None] * np.eye(3)
        p0[:, 3:, 3:] = INIT_SPEED_SIGMA_MPS**2 * np.eye(3)
        new = dict(id=self.next_id + np.arange(k), x=np.concatenate([z, np.zeros((k, 3))], 1), p=p0,
                   t_last_s=np.full(k, t_s), hits=np.ones(k, int), confirmed=np.zeros(k, bool), truth_id=truth,
                   radar_mask=np.full(k, np.int64(1) << radar))
        self.next_id += k
        for name in _FIELDS:
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))

    def _keep(self, mask: np.ndarray) -> None:
        for name in _FIELDS:
            setattr(self, name, getattr(self, name)[mask])
