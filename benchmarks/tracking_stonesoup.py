"""Stone Soup 1.9.1 reference tracker for the tracking benchmark (protocol: results_tracking.md).

Components of Stone Soup's tutorial 10 ("Tracking in simulation: bringing all components
together"; docs/REFERENCES.md): CV transition model (q per axis), ``LinearGaussian`` position sensor,
``KalmanPredictor``/``KalmanUpdater``, ``DistanceHypothesiser(Mahalanobis, missed_distance=gate)``
→ ``GNNWith2DAssignment`` ("default") or ``DetectionKDTreeGNN2D(max_distance=3 km)`` ("kdtree"),
``MultiMeasurementInitiator`` (velocity sigma ``prior_vel_mps``, ``min_points=confirm``, its own
associator and ``UpdateTimeStepsDeleter(tent_coast)``), main ``UpdateTimeStepsDeleter(coast)``,
``MultiTargetTracker`` driven one scan at a time through ``update_tracker``.
"""

from __future__ import annotations

import datetime

import numpy as np
from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
from stonesoup.deleter.time import UpdateTimeStepsDeleter
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.initiator.simple import MultiMeasurementInitiator
from stonesoup.measures import Mahalanobis
from stonesoup.models.measurement.linear import LinearGaussian
from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
from stonesoup.predictor.kalman import KalmanPredictor
from stonesoup.tracker.simple import MultiTargetTracker
from stonesoup.types.detection import Detection
from stonesoup.types.state import GaussianState
from stonesoup.updater.kalman import KalmanUpdater

EPOCH = datetime.datetime(2025, 1, 1)
KDTREE_MAX_DISTANCE_M = 3000.0


def measurement_model(sigma_m: float) -> LinearGaussian:
    return LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=np.eye(3) * sigma_m**2)


def to_detections(z_enu_m: np.ndarray, t_s: float, model: LinearGaussian) -> set:
    """One scan of (m, 3) positions as a set of Stone Soup ``Detection``s."""
    ts = EPOCH + datetime.timedelta(seconds=float(t_s))
    return {Detection(z[:, None], timestamp=ts, measurement_model=model) for z in z_enu_m}


class StoneSoupTracker:
    """Streaming wrapper: ``step(k, t_s, detections) -> (ids, pos_enu_m)`` of the tracker's tracks."""

    def __init__(self, *, q_m2ps3: float, sigma_m: float, gate: float = 3.0, confirm: int = 3,
                 coast: int = 3, tent_coast: int = 2, prior_vel_mps: float = 300.0, kdtree: bool = False):
        self.model = measurement_model(sigma_m)
        transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(q_m2ps3)] * 3)
        predictor = KalmanPredictor(transition)
        updater = KalmanUpdater(self.model)
        hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=gate)

        def associator():
            if kdtree:
                return DetectionKDTreeGNN2D(hypothesiser=hyp, predictor=predictor, updater=updater,
                                            max_distance=KDTREE_MAX_DISTANCE_M)
            return GNNWith2DAssignment(hyp)

        prior = GaussianState(np.zeros((6, 1)), np.diag([0.0, prior_vel_mps**2] * 3))
        initiator = MultiMeasurementInitiator(prior_state=prior, measurement_model=self.model,
                                              deleter=UpdateTimeStepsDeleter(tent_coast),
                                              data_associator=associator(), updater=updater, min_points=confirm)
        self.tracker = MultiTargetTracker(initiator=initiator, deleter=UpdateTimeStepsDeleter(coast),
                                          detector=None, data_associator=associator(), updater=updater)
        self._ids: dict[str, int] = {}

    def step(self, k: int, t_s: float, detections: set) -> tuple[np.ndarray, np.ndarray]:
        _, tracks = self.tracker.update_tracker(EPOCH + datetime.timedelta(seconds=float(t_s)), detections)
        ids = np.fromiter((self._ids.setdefault(t.id, len(self._ids)) for t in tracks), np.int64, len(tracks))
        pos = np.array([np.asarray(t.state_vector, dtype=np.float64)[[0, 2, 4], 0] for t in tracks]).reshape(-1, 3)
        return ids, pos
