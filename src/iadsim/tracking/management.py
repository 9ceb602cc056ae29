"""Track management: M-of-N confirmation and deletion, as pure functions over per-track arrays.

Each track keeps a hit history as an unsigned 64-bit word (bit 0 = the latest scan, 1 = hit)
and a count of consecutive misses. A tentative track is confirmed when at least M of its last N
scans were hits (N ≤ 64); it is deleted after ``K_tentative`` consecutive misses, a confirmed one
after ``K_confirmed``, and any track whose position covariance trace exceeds a limit.
Reference: Blackman & Popoli, *Design and Analysis of Modern Tracking Systems* (1999), §6.2–6.3.
"""

from __future__ import annotations

import numpy as np


def record_scan(hist: np.ndarray, misses: np.ndarray, hit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shift one scan into the hit history; hit (n,) bool -> (hist uint64, misses int)."""
    hist = (hist << np.uint64(1)) | hit.astype(np.uint64)
    misses = np.where(hit, 0, misses + 1)
    return hist, misses


def hits_in_window(hist: np.ndarray, n_scans: int) -> np.ndarray:
    """Number of hits among the last ``n_scans`` scans, (n,) int."""
    mask = np.uint64((1 << n_scans) - 1) if n_scans < 64 else np.uint64(2**64 - 1)
    return np.bitwise_count(hist & mask).astype(np.int64)


def confirm_mask(hist: np.ndarray, confirmed: np.ndarray, m_hits: int, n_scans: int) -> np.ndarray:
    """Tentative tracks that pass M-of-N now, (n,) bool."""
    return ~confirmed & (hits_in_window(hist, n_scans) >= m_hits)


def delete_mask(
    misses: np.ndarray, confirmed: np.ndarray, pos_var_trace_m2: np.ndarray,
    max_misses_tentative: int, max_misses_confirmed: int, max_pos_var_trace_m2: float,
) -> np.ndarray:
    """Tracks to delete: too many consecutive misses for their status, or position too uncertain."""
    limit = np.where(confirmed, max_misses_confirmed, max_misses_tentative)
    return (misses >= limit) | (pos_var_trace_m2 > max_pos_var_trace_m2)
