"""Batched multi-target tracker: Kalman/IMM filtering, spatially indexed gating, clustered GNN, M-of-N logic.

Usage, once per scan (one tracker per battery, fed by all of its radars)::

    from iadsim.tracking.mtt import Tracker, TrackerConfig
    trk = Tracker(TrackerConfig(motion="imm", gate=4.0))
    out = trk.step(t_s, detections)       # Detections, CartesianDetections or None (empty scan)
    out.id, out.pos_enu_m, out.vel_enu_mps, out.cov, out.radar_mask   # confirmed tracks at t_s
    out.new_ids, out.dropped_ids          # events: confirmed / dropped during this step
    out.t_last_s, out.truth_id            # last update time; truth id carried for scoring only

A step takes the detections of every radar with ``t_s_prev ≤ detection time ≤ t_s`` and handles
them as sub-scans, one per (time, radar), in time order. Each sub-scan: predict every track to
its time → gate and assign confirmed tracks (spatial-index candidates, exact Mahalanobis gate
``d < gate``, GNN solved per cluster, missed cost = ``gate``) → the same for tentative tracks
with the detections left → update → start a tentative track on every detection still free.
After the sub-scans, tracks are predicted to ``t_s`` and the track logic runs once per step:
M-of-N confirmation over steps, deletion after K consecutive missed steps (tentative or
confirmed) or when the position covariance trace exceeds a limit; a step called with
``detections=None`` (no radar looked) only predicts and is not counted. Track ids are int64,
increasing, never reused. ``radar_mask`` has bit ``radar_id`` set for each radar that updated
the track.

Motion: ``"cv"`` (6 states), ``"ca"`` (9 states) or ``"imm"`` (CV models that differ in process
noise, e.g. quiet and manoeuvring). Radar measurements use an EKF in range/azimuth/elevation
(/range rate) — see ``iadsim.tracking.kalman`` for why; ``CartesianDetections`` use a linear
position update. ``TrackerConfig.stonesoup_tutorial()`` reproduces Stone Soup's tutorial tracker
(Stone Soup 1.9.1 tutorial 10, configured as in benchmarks/tracking_stonesoup.py) decision for decision.

Runs: a ``Tracker(config, n_runs=R)`` holds the tracks of R independent runs (Monte Carlo) in
one set of arrays and :meth:`Tracker.step_runs` steps them all; every track carries its run and is
gated only against detections of its own run, so a run's results do not depend on the others.
:meth:`Tracker.step` is the one-run form of the same code (``n_runs=1``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import expm

from iadsim.npfast import einsum

from iadsim.tracking.association import (
    associate_gnn, candidate_pairs_grouped, gate_radius_from_trace_m, interval_pairs_grouped,
)
from iadsim.tracking.detections import CartesianDetections, Detections
from iadsim.tracking.imm import imm_combine, imm_mix, imm_mode_update, imm_predict_cv2
from iadsim.tracking.kalman import (
    converted_covariance, gaussian_loglik, kf_predict, kf_update, mahalanobis_sq, radar_measurement,
    radar_residual, rae_to_enu,
)
from iadsim.tracking.management import confirm_mask, delete_mask, record_scan
from iadsim.tracking.motion import MotionModel

_FIELDS = ("id", "x", "p", "mu", "hist", "misses", "confirmed", "hit", "radar_mask", "t_last_s", "truth_id", "run")
_CACHE_SIZE = 64  # step lengths whose matrices are kept


@dataclass(frozen=True, kw_only=True)
class TrackerConfig:
    """Tracker parameters; SI units. ``gate`` is a Mahalanobis distance (not squared)."""

    motion: str = "cv"  # "cv" | "ca" | "imm"
    q_cv_m2ps3: float = 1.0  # CV white-acceleration PSD per axis
    q_ca_m2ps5: float = 1.0  # CA white-jerk PSD per axis
    imm_q_m2ps3: tuple[float, ...] = (1.0, 400.0)  # IMM: one CV model per PSD
    imm_sojourn_s: tuple[float, ...] = (60.0, 15.0)  # IMM: mean time spent in each model
    imm_mu0: tuple[float, ...] = (0.8, 0.2)  # IMM: initial model probabilities
    gate: float = 4.0
    miss_cost: float | None = None  # GNN cost of leaving a gated track unassigned; None -> gate
    confirm_m: int = 2
    confirm_n: int = 3
    delete_tentative_misses: int = 2
    delete_confirmed_misses: int = 5
    max_pos_var_trace_m2: float = np.inf
    init_vel_sigma_mps: float = 300.0
    init_acc_sigma_mps2: float = 30.0
    use_range_rate: bool = True

    def __post_init__(self) -> None:
        if self.motion not in ("cv", "ca", "imm"):
            raise ValueError(f"motion: expected 'cv', 'ca' or 'imm', got {self.motion!r}")
        if not 1 <= self.confirm_m <= self.confirm_n <= 64:
            raise ValueError("confirm_m, confirm_n: expected 1 <= confirm_m <= confirm_n <= 64")
        if not self.gate > 0:
            raise ValueError("gate: expected > 0")
        if self.motion == "imm" and not (len(self.imm_q_m2ps3) == len(self.imm_sojourn_s) == len(self.imm_mu0) >= 2):
            raise ValueError("imm_q_m2ps3, imm_sojourn_s, imm_mu0: expected equal lengths >= 2")

    @classmethod
    def stonesoup_tutorial(cls, **kw) -> TrackerConfig:
        """Stone Soup tutorial-10 logic: gate 3, confirm on the 3rd hit, delete tentative after 2
        and confirmed after 3 consecutive misses, new-track velocity sigma 300 m/s."""
        base = dict(motion="cv", gate=3.0, confirm_m=3, confirm_n=5, delete_tentative_misses=2,
                    delete_confirmed_misses=3, init_vel_sigma_mps=300.0)
        return cls(**(base | kw))


@dataclass(frozen=True)
class ConfirmedTracks:
    """Confirmed tracks after one step, at time ``t_s``, plus this step's track events."""

    t_s: float
    id: np.ndarray  # (n,) int64
    pos_enu_m: np.ndarray  # (n, 3)
    vel_enu_mps: np.ndarray  # (n, 3)
    cov: np.ndarray  # (n, d, d) state covariance, d = 6 (CV, IMM) or 9 (CA), same layout as the state
    radar_mask: np.ndarray  # (n,) int64, bit r set if radar r contributed
    mode_prob: np.ndarray  # (n, r) IMM model probabilities (r = 1 without IMM)
    t_last_s: np.ndarray  # (n,) time of the last update
    truth_id: np.ndarray  # (n,) truth id of the last associated detection (−1 if not given); scoring only
    new_ids: np.ndarray  # ids confirmed during this step
    dropped_ids: np.ndarray  # ids of confirmed tracks deleted during this step


@dataclass
class _Meas:
    """One sub-scan's measurements in the form the filter needs."""

    z: np.ndarray  # (m, k)
    r: np.ndarray  # (m, k, k)
    pos_enu_m: np.ndarray  # (m, 3) position estimate, for gating and initiation
    cov_enu_m2: np.ndarray  # (m, 3, 3)
    radar_id: int
    t_s: float
    truth_id: np.ndarray | None = None  # (m,)
    radar_pos_enu_m: np.ndarray | None = None  # (3,) when polar
    vel_init: np.ndarray | None = None  # (m, 3) radial velocity from range rate
    vel_var_los: np.ndarray | None = None  # (m,) range-rate variance along the line of sight
    los: np.ndarray | None = None  # (m, 3) unit line of sight
    run: np.ndarray | None = None  # (m,) run of each row


@dataclass
class Tracker:
    """Multi-target tracker for one battery, in ``n_runs`` independent runs; see the module docstring.

    Each run's results are those it gets alone, bit for bit: the kernels give a row the same
    floats whatever rows surround it, a run's tracks keep their relative order (new ones are
    appended, deletions keep the order), gating never pairs across runs, and track ids are
    counted per run (0, 1, 2, ... in that run's order of creation).
    """

    config: TrackerConfig = field(default_factory=TrackerConfig)
    n_runs: int = 1
    _fields = _FIELDS  # per-track columns (a class attribute, not a dataclass field)

    def __post_init__(self) -> None:
        c = self.config
        if c.motion == "imm":
            self.models = [MotionModel("cv", q) for q in c.imm_q_m2ps3]
        else:
            self.models = [MotionModel(c.motion, c.q_cv_m2ps3 if c.motion == "cv" else c.q_ca_m2ps5)]
        self.dim = self.models[0].dim
        n_models = len(self.models)
        self._mu0 = np.asarray(c.imm_mu0 if n_models > 1 else (1.0,), dtype=np.float64)
        rates = 1.0 / np.asarray(c.imm_sojourn_s if n_models > 1 else (np.inf,), dtype=np.float64)
        self._gen = (np.ones((n_models, n_models)) - np.eye(n_models)) * (rates / max(n_models - 1, 1))[:, None]
        self._gen -= np.diag(rates) if n_models > 1 else 0.0
        self._imm_cache: dict[float, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._work: dict = {}  # scratch arrays of the IMM prediction, reused between steps
        self._h_pos = np.eye(3, self.dim)
        self._init_vel_cov = c.init_vel_sigma_mps**2 * np.eye(3)
        self._init_acc_cov = c.init_acc_sigma_mps2**2 * np.eye(3)
        self._miss_cost = c.gate if c.miss_cost is None else c.miss_cost
        self.t_s = -np.inf
        self._next_id = np.zeros(self.n_runs, np.int64)
        self._live = np.ones(self.n_runs, bool)
        d = self.dim
        self._a = dict(id=np.zeros(0, np.int64), x=np.zeros((0, n_models, d)), p=np.zeros((0, n_models, d, d)),
                       mu=np.zeros((0, n_models)), hist=np.zeros(0, np.uint64), misses=np.zeros(0, np.int64),
                       confirmed=np.zeros(0, bool), hit=np.zeros(0, bool), radar_mask=np.zeros(0, np.int64),
                       t_last_s=np.zeros(0), truth_id=np.zeros(0, np.int64), run=np.zeros(0, np.int64))

    # ----------------------------------------------------------------------------------- public
    @property
    def n_tracks(self) -> int:
        """Number of tracks held, tentative and confirmed."""
        return len(self._a["id"])

    def step(self, t_s: float, detections: Detections | CartesianDetections | None = None) -> ConfirmedTracks:
        """Process every detection up to ``t_s`` and return the confirmed tracks at ``t_s`` (one run:
        :meth:`step_runs` with ``n_runs=1``).

        ``detections=None`` means that no radar looked during this step: tracks are predicted to
        ``t_s`` and the step does not count as a scan for M-of-N or misses. An empty
        ``Detections`` means the radars looked and saw nothing: a miss for every track.
        """
        if self.n_runs != 1:
            raise ValueError(f"step: this tracker holds {self.n_runs} runs; use step_runs")
        n = 0 if detections is None or not hasattr(detections, "t_s") else len(detections.t_s)
        return self.step_runs(t_s, detections, np.zeros(n, np.int64), np.array([detections is not None]))[0]

    def step_runs(self, t_s: float, detections: Detections | CartesianDetections | None, det_run: np.ndarray | None,
                  scanned: np.ndarray) -> list[ConfirmedTracks | None]:
        """One step of every run: ``detections`` of all runs (rows of a run in that run's order),
        ``det_run`` (n,) the run of each row, ``scanned`` (n_runs,) bool the runs in which a radar of
        the unit looked (their step counts as a scan, see :meth:`step`). Returns each live run's
        confirmed tracks (None for a retired run)."""
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise ValueError(f"t_s: expected a finite time, got {t_s}")
        if t_s < self.t_s:
            raise ValueError(f"t_s: time went backwards ({t_s} s after {self.t_s} s)")
        if detections is not None and not isinstance(detections, (Detections, CartesianDetections)):
            raise ValueError(f"detections: expected Detections or CartesianDetections, got {type(detections).__name__}")
        a = self._a
        a["hit"] = np.zeros(self.n_tracks, bool)
        if detections is not None and len(detections):
            tdet = detections.t_s
            if tdet.max() > t_s or tdet.min() < self.t_s:
                raise ValueError(f"t_s: detection times must lie in [{self.t_s}, {t_s}] s (previous step, this step)")
            if not self._live[det_run].all():
                raise ValueError("detections: a retired run has detections")
            for t_sub, sel in _subscans(tdet, detections.radar_id):
                meas = self._measurements(detections, sel, t_sub)
                meas.run = det_run[sel]
                self._process(t_sub, meas)
        self._predict_to(t_s)
        return self._manage(t_s, np.asarray(scanned, bool) & self._live)

    def retire(self, r: int) -> None:
        """Run ``r`` is over: drop its tracks; it gets no more detections."""
        self._live[r] = False
        keep = self._a["run"] != r
        if not keep.all():
            for name in self._fields:
                self._a[name] = self._a[name][keep]

    # ------------------------------------------------------------------------------- internals
    def _process(self, t_s: float, meas: _Meas) -> None:
        """One sub-scan: predict, associate (confirmed first, then tentative), update, initiate."""
        self._predict_to(t_s)
        free = np.ones(len(meas.z), bool)
        if self.n_tracks:
            pred = self._gating_prediction(meas)
            confirmed = self._a["confirmed"]
            for tracks in (confirmed.nonzero()[0], (~confirmed).nonzero()[0]):  # (np.flatnonzero of 1-D)
                dets = free.nonzero()[0]
                if len(tracks) and len(dets):
                    at, ad = self._associate(tracks, dets, pred, meas)
                    self._update(at, ad, meas)
                    free[ad] = False
        self._spawn(free.nonzero()[0], meas)

    def _gating_prediction(self, meas: _Meas) -> dict | None:
        """What the search for candidate pairs of Cartesian measurements needs of every track for
        one sub-scan: combined state and the position-covariance traces of tracks and
        measurements (for the search radius). None for radar measurements, gated in measurement
        space (:meth:`_associate_polar`)."""
        if meas.radar_pos_enu_m is not None:
            return None
        xc, pos_trace = self._combined_state_pos_trace()
        return dict(xc=xc, pos_trace=pos_trace, meas_trace=np.trace(meas.cov_enu_m2, axis1=1, axis2=2))

    def _combined_state_pos_trace(self) -> tuple[np.ndarray, np.ndarray]:
        """Combined state (n, d) of every track and the trace of its combined position covariance
        (n,), without the rest of the covariance: with two models, the three diagonal terms of
        :func:`imm_combine` written out (a sum of two products, the same floats as its einsum)."""
        a = self._a
        if len(self.models) != 2:
            xc, pc = self._combined()
            return xc, np.trace(pc[:, :3, :3], axis1=1, axis2=2)
        x, mu = a["x"], a["mu"]
        xc = einsum("nr,nrd->nd", mu, x)
        dx = x[..., :3] - xc[:, None, :3]
        diag = mu[:, :, None] * (np.diagonal(a["p"], axis1=-2, axis2=-1)[..., :3] + dx * dx)  # (n, r, 3)
        diag = diag[:, 0] + diag[:, 1]
        return xc, diag[:, 0] + diag[:, 1] + diag[:, 2]

    def _associate(self, tracks, dets, pred: dict | None, meas: _Meas):
        """Gate and GNN of a track subset against a detection subset: exact Mahalanobis gate on
        the candidate pairs, found by a spatial index (Cartesian measurements) or by the
        per-component bounds of the gate in measurement space (radar measurements)."""
        if meas.radar_pos_enu_m is not None:
            ti, dj, d2 = self._gate_polar(tracks, dets, meas)
        else:
            ti, dj = self._candidates(tracks, dets, pred, meas)
            if len(ti) == 0:
                return ti, dj
            dp = dets[dj]
            rows, inv = np.unique(ti, return_inverse=True)
            xc, pc = self._combined(tracks[rows])  # once per track with a candidate
            d2 = mahalanobis_sq(meas.z[dp] - xc[inv, :3], pc[inv, :3, :3] + meas.r[dp])
        gate = self.config.gate
        ok = d2 < gate * gate
        ti, dj, d2 = ti[ok], dj[ok], d2[ok]
        at, ad = associate_gnn(ti, dj, np.sqrt(d2), self._miss_cost, len(tracks), len(dets))
        return tracks[at], dets[ad]

    def _gate_polar(self, tracks, dets, meas: _Meas) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate (track, detection) pairs of a radar sub-scan and their squared Mahalanobis
        distances, for the pairs that may lie inside the gate.

        With innovation covariance S = H P Hᵀ + R, every component of the innovation obeys
        ``ν_i² ≤ S_ii · νᵀ S⁻¹ ν`` (Cauchy–Schwarz), so a pair inside the gate g has
        ``|ν_i| ≤ g·sqrt(S_ii)`` for each of range, azimuth, elevation (and range rate). Detections
        sorted by (run, range) give each track its range window by binary search (work
        proportional to the candidates); the other components prune further; the Mahalanobis
        distance is solved for the survivors only. Exact: no pair inside the gate is missed.
        The range window needs only ``S_rr = uᵀ P_pos u + R_rr`` (u the unit line of sight) of
        every track; the predicted measurement and ``H P Hᵀ`` are computed once per track with
        a detection in its window.
        """
        run_t, run_d = self._a["run"][tracks], meas.run[dets]
        r_diag = np.diagonal(meas.r[dets], axis1=1, axis2=2)  # (m, k)
        if self.n_runs == 1:
            r_max = r_diag.max(axis=0)[None]
        else:  # a run's window uses its own detections' largest noise
            r_max = np.zeros((self.n_runs, r_diag.shape[1]))
            np.maximum.at(r_max, run_d, r_diag)
            r_max = r_max[run_t]
        # range window of every track: S_rr = u P_pos u + R_rr (u the unit line of sight), from the
        # combined position block only; the rest of S for the tracks with a detection in it
        x, mu = self._a["x"][tracks], self._a["mu"][tracks]
        xc_pos = einsum("nr,nrd->nd", mu, x[..., :3])
        los = xc_pos - meas.radar_pos_enu_m
        rng = np.sqrt(einsum("nd,nd->n", los, los))
        u = los / rng[:, None]
        dx = x[..., :3] - xc_pos[:, None]
        p_pos = self._a["p"][tracks][..., :3, :3]
        s_rr = einsum("nr,nr->n", mu, einsum("nd,nrde,ne->nr", u, p_pos, u) + einsum("nrd,nd->nr", dx, u) ** 2)
        half_r = (1.0 + 1e-6) * self.config.gate * np.sqrt(s_rr + r_max[:, 0])
        ti, dj = interval_pairs_grouped(rng, half_r, run_t, meas.z[dets, 0], run_d)
        if len(ti) == 0:
            return ti, dj, np.zeros(0)
        rows, inv = _unique_sorted(ti)  # ti is non-decreasing
        xc, pc = self._combined(tracks[rows])
        zhat, h = radar_measurement(xc, meas.radar_pos_enu_m, meas.z.shape[1] == 4)
        hph = h @ pc @ np.swapaxes(h, -1, -2)
        r_rows = r_max if self.n_runs == 1 else r_max[rows]
        half = (1.0 + 1e-9) * self.config.gate * np.sqrt(np.diagonal(hph, axis1=1, axis2=2) + r_rows)
        dp = dets[dj]
        resid = radar_residual(meas.z[dp], zhat[inv])
        ok = np.logical_and.reduce(np.abs(resid) <= half[inv], axis=1)  # = np.all(..., axis=1)
        ti, dj, dp, resid, inv = ti[ok], dj[ok], dp[ok], resid[ok], inv[ok]
        return ti, dj, mahalanobis_sq(resid, hph[inv] + meas.r[dp])

    def _candidates(self, tracks, dets, pred: dict, meas: _Meas) -> tuple[np.ndarray, np.ndarray]:
        """(track, detection) positions in ``tracks``/``dets`` of Cartesian measurements within the
        conservative search radius, run by run: each run's radius uses the largest measurement
        covariance trace of that run's detections, and pairs never cross runs."""
        run_t, run_d = self._a["run"][tracks], meas.run[dets]
        meas_trace = pred["meas_trace"][dets]
        if self.n_runs == 1:
            meas_trace_max = meas_trace.max()
        else:
            meas_trace_max = np.zeros(self.n_runs)  # traces are >= 0; a run without detections gets no pairs
            np.maximum.at(meas_trace_max, run_d, meas_trace)
            meas_trace_max = meas_trace_max[run_t]
        radius = gate_radius_from_trace_m(pred["pos_trace"][tracks], meas_trace_max, self.config.gate)
        return candidate_pairs_grouped(pred["xc"][tracks, :3], radius, run_t, meas.pos_enu_m[dets], run_d)

    def _update(self, at: np.ndarray, ad: np.ndarray, meas: _Meas) -> None:
        """Kalman/EKF update of tracks ``at`` with detections ``ad``, every model of each track."""
        if len(at) == 0:
            return
        a = self._a
        x, p = a["x"][at], a["p"][at]  # (k, r, d), (k, r, d, d)
        z = meas.z[ad][:, None, :]
        if meas.radar_pos_enu_m is None:
            h, resid = self._h_pos, z - x[..., :3]
        else:
            zhat, h = radar_measurement(x, meas.radar_pos_enu_m, z.shape[-1] == 4)
            resid = radar_residual(z, zhat)
        x_post, p_post, s = kf_update(x, p, resid, h, meas.r[ad][:, None])
        if len(self.models) > 1:
            a["mu"][at] = imm_mode_update(a["mu"][at], gaussian_loglik(resid, s))
        a["x"][at], a["p"][at] = x_post, p_post
        a["hit"][at] = True
        a["radar_mask"][at] |= np.int64(1) << meas.radar_id
        a["t_last_s"][at] = meas.t_s
        a["truth_id"][at] = -1 if meas.truth_id is None else meas.truth_id[ad]

    def _spawn(self, dets: np.ndarray, meas: _Meas) -> None:
        """Start one tentative track per detection: position from the measurement, zero velocity."""
        k, d, c = len(dets), self.dim, self.config
        if k == 0:
            return
        x = np.zeros((k, d))
        p = np.zeros((k, d, d))
        x[:, :3] = meas.pos_enu_m[dets]
        p[:, :3, :3] = meas.cov_enu_m2[dets]
        p[:, 3:6, 3:6] = self._init_vel_cov
        if meas.vel_init is not None:  # radial velocity known from range rate
            u = meas.los[dets]
            x[:, 3:6] = meas.vel_init[dets]
            uu = u[:, :, None] * u[:, None, :]
            p[:, 3:6, 3:6] += (meas.vel_var_los[dets][:, None, None] - c.init_vel_sigma_mps**2) * uu
        if d == 9:
            p[:, 6:, 6:] = self._init_acc_cov
        n_models = len(self.models)
        new = dict(x=np.repeat(x[:, None], n_models, 1), p=np.repeat(p[:, None], n_models, 1),
                   mu=np.repeat(self._mu0[None], k, 0), hist=np.zeros(k, np.uint64), misses=np.zeros(k, np.int64),
                   confirmed=np.zeros(k, bool), hit=np.ones(k, bool),
                   radar_mask=np.full(k, np.int64(1) << meas.radar_id), t_last_s=np.full(k, meas.t_s),
                   truth_id=np.full(k, -1, np.int64) if meas.truth_id is None else meas.truth_id[dets])
        new.update(self._new_keys(dets, meas))
        for name in self._fields:
            self._a[name] = np.concatenate([self._a[name], new[name]])

    def _new_keys(self, dets: np.ndarray, meas: _Meas) -> dict:
        """Per-run ids of the tracks started on ``dets`` (increasing, never reused): each run
        counts its own, in row order."""
        run = np.zeros(len(dets), np.int64) if meas.run is None else meas.run[dets]
        if self.n_runs == 1:  # one run: the next ids in row order
            ids = self._next_id[0] + np.arange(len(dets), dtype=np.int64)
            self._next_id += len(dets)
            return dict(id=ids, run=run)
        counts = np.bincount(run, minlength=self.n_runs)
        order = np.argsort(run, kind="stable")
        rank = np.empty(len(run), np.int64)
        rank[order] = np.arange(len(run)) - (np.cumsum(counts) - counts)[run[order]]
        ids = self._next_id[run] + rank
        self._next_id += counts
        return dict(id=ids, run=run)

    def _predict_to(self, t_s: float) -> None:
        """Predict every track (IMM: mix, then every model) from ``self.t_s`` to ``t_s``."""
        dt = t_s - self.t_s
        self.t_s = t_s
        if not (dt > 0 and self.n_tracks and np.isfinite(dt)):
            return
        a = self._a
        if len(self.models) == 1:
            f, q = self.models[0].matrices(dt)
            a["x"], a["p"] = kf_predict(a["x"], a["p"], f, q)
            return
        trans, f, q, f_t = self._imm_matrices(dt)
        if len(self.models) == 2:  # two CV models: mixing and prediction specialised, one pass
            a["x"], a["p"], a["mu"] = imm_predict_cv2(a["x"], a["p"], a["mu"], trans, dt, q, self._work)
            return
        x0, p0, a["mu"] = imm_mix(a["x"], a["p"], a["mu"], trans)
        a["x"], a["p"] = kf_predict(x0, p0, f, q, f_t)

    def _imm_matrices(self, dt_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Over ``dt_s``: the Markov model-switch matrix (from the mean sojourn times) and every
        model's (F, Q, contiguous Fᵀ) stacked (r, d, d), so one batched call predicts every model
        of every track; cached per ``dt_s``."""
        mats = self._imm_cache.get(dt_s)
        if mats is None:
            if len(self._imm_cache) >= _CACHE_SIZE:
                self._imm_cache.clear()
            f, q = zip(*(m.matrices(dt_s) for m in self.models))
            f = np.stack(f)
            mats = self._imm_cache[dt_s] = (expm(self._gen * dt_s), f, np.stack(q), np.ascontiguousarray(np.swapaxes(f, -1, -2)))
        return mats

    def _combined(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Combined state and covariance of every track, or of the tracks ``rows``."""
        a = self._a
        x, p, mu = (a["x"], a["p"], a["mu"]) if rows is None else (a["x"][rows], a["p"][rows], a["mu"][rows])
        if len(self.models) == 1:
            return x[:, 0], p[:, 0]
        return imm_combine(x, p, mu)

    def _measurements(self, dets: Detections | CartesianDetections, sel: np.ndarray, t_s: float) -> _Meas:
        """Measurement vectors, noise and position estimates of the rows ``sel`` (one sub-scan)."""
        radar_id = int(dets.radar_id[sel[0]])
        truth = None if dets.truth_id is None else dets.truth_id[sel]
        if isinstance(dets, CartesianDetections):
            pos, cov = dets.pos_enu_m[sel], dets.cov_enu_m2[sel]
            return _Meas(z=pos, r=cov, pos_enu_m=pos, cov_enu_m2=cov, radar_id=radar_id, t_s=t_s, truth_id=truth)
        rng, az, el = dets.range_m[sel], dets.az_rad[sel], dets.el_rad[sel]
        s_r, s_a, s_e = dets.sigma_range_m[sel], dets.sigma_az_rad[sel], dets.sigma_el_rad[sel]
        radar_pos = dets.radar_pos_enu_m[sel[0]]
        los = rae_to_enu(np.ones_like(rng), az, el)
        meas = _Meas(z=None, r=None, pos_enu_m=radar_pos + rng[:, None] * los,
                     cov_enu_m2=converted_covariance(rng, az, el, s_r, s_a, s_e), radar_id=radar_id,
                     t_s=t_s, truth_id=truth, radar_pos_enu_m=radar_pos)
        with_rate = self.config.use_range_rate and dets.range_rate_mps is not None
        k = 4 if with_rate else 3
        meas.z, meas.r = np.empty((len(sel), k)), np.zeros((len(sel), k, k))
        meas.z[:, 0], meas.z[:, 1], meas.z[:, 2] = rng, az, el
        meas.r[:, 0, 0], meas.r[:, 1, 1], meas.r[:, 2, 2] = s_r**2, s_a**2, s_e**2
        if with_rate:
            rr, s_rr = dets.range_rate_mps[sel], dets.sigma_range_rate_mps[sel]
            meas.z[:, 3], meas.r[:, 3, 3] = rr, s_rr**2
            meas.vel_init, meas.vel_var_los, meas.los = rr[:, None] * los, s_rr**2, los
        return meas


    def _manage(self, t_s: float, scanned: np.ndarray) -> list[ConfirmedTracks | None]:
        """Record hits (in the runs ``scanned`` only), confirm (M of N), delete, and report each
        live run's confirmed tracks."""
        a, c = self._a, self.config
        counted = scanned[a["run"]]
        if counted.all():
            a["hist"], a["misses"] = record_scan(a["hist"], a["misses"], a["hit"])
            newly = confirm_mask(a["hist"], a["confirmed"], c.confirm_m, c.confirm_n)
        elif counted.any():
            a["hist"][counted], a["misses"][counted] = record_scan(a["hist"][counted], a["misses"][counted], a["hit"][counted])
            newly = confirm_mask(a["hist"], a["confirmed"], c.confirm_m, c.confirm_n) & counted
        else:
            newly = np.zeros(self.n_tracks, bool)
        a["confirmed"] = a["confirmed"] | newly
        if math.isfinite(c.max_pos_var_trace_m2):
            trace = np.trace(self._combined()[1][:, :3, :3], axis1=1, axis2=2)
        else:
            trace = np.zeros(self.n_tracks)
        dead = delete_mask(a["misses"], a["confirmed"], trace, c.delete_tentative_misses,
                           c.delete_confirmed_misses, c.max_pos_var_trace_m2)
        born, gone = newly & ~dead, dead & a["confirmed"]
        new_ids = self._split(a["id"][born], a["run"][born])
        dropped = self._split(a["id"][gone], a["run"][gone])
        if dead.any():
            keep = (~dead).nonzero()[0]  # (indices once, not a mask per column)
            for name in self._fields:
                a[name] = a[name][keep]
        out = a["confirmed"].nonzero()[0]
        if self.n_runs == 1:  # one run: already in run order
            bounds = [0, len(out)]
        else:
            run = a["run"][out]
            order = np.argsort(run, kind="stable")
            out = out[order]
            bounds = np.searchsorted(run[order], np.arange(self.n_runs + 1))
        xc, pc = self._combined(out)
        ids, pos, vel, mask, mode = a["id"][out], xc[:, :3], xc[:, 3:6], a["radar_mask"][out], a["mu"][out]
        t_last, truth = a["t_last_s"][out], a["truth_id"][out]
        res: list[ConfirmedTracks | None] = [None] * self.n_runs
        for r in np.flatnonzero(self._live).tolist():
            lo, hi = bounds[r], bounds[r + 1]
            res[r] = ConfirmedTracks(t_s=t_s, id=ids[lo:hi], pos_enu_m=pos[lo:hi], vel_enu_mps=vel[lo:hi], cov=pc[lo:hi],
                                     radar_mask=mask[lo:hi], mode_prob=mode[lo:hi], t_last_s=t_last[lo:hi],
                                     truth_id=truth[lo:hi], new_ids=new_ids[r], dropped_ids=dropped[r])
        return res

    def _split(self, ids: np.ndarray, run: np.ndarray) -> list[np.ndarray]:
        """Ids (k,) split by run, each run's in the given order; (n_runs,) list."""
        if len(ids) == 0 or self.n_runs == 1:
            return [ids] if self.n_runs == 1 else [ids] * self.n_runs
        order = np.argsort(run, kind="stable")
        bounds = np.searchsorted(run[order], np.arange(self.n_runs + 1))
        ids = ids[order]
        return [ids[bounds[r]:bounds[r + 1]] for r in range(self.n_runs)]


def _unique_sorted(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(a, return_inverse=True)`` of a non-empty non-decreasing int array, without its sort."""
    first = np.empty(len(a), bool)
    first[0] = True
    np.not_equal(a[1:], a[:-1], out=first[1:])
    inv = np.cumsum(first)
    inv -= 1
    return a[first], inv


def _subscans(t_s: np.ndarray, radar_id: np.ndarray):
    """Yield (time, row indices) per (time, radar) group, in time order (ties by radar id)."""
    if (t_s == t_s[0]).all() and (radar_id == radar_id[0]).all():
        yield float(t_s[0]), np.arange(len(t_s))
        return
    order = np.lexsort((radar_id, t_s))
    ts, rs = t_s[order], radar_id[order]
    bounds = np.flatnonzero((np.diff(ts) != 0) | (np.diff(rs) != 0)) + 1
    for grp in np.split(order, bounds):
        yield float(t_s[grp[0]]), grp
