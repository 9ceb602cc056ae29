"""Events recorded in bulk (one array per column and call, joined once): the arrays, the lists
built from them and the events table agree; the report and the streamed CZML read them whole."""

import numpy as np

from iadsim.record import EVENT_COLUMNS, EVENT_TYPES, _column, _part


def test_parts_repeat_scalars_and_keep_the_column_type():
    assert _part("t_s", 3, 12.5).tolist() == [12.5, 12.5, 12.5]
    assert np.isnan(_part("p_kill", 2, None)).all()  # a missing float is NaN in the array
    assert _part("threat_id", 2, -1).dtype == np.int64
    assert _part("unit", 2, None).tolist() == [None, None]
    assert _part("miss_distance_m", 3, [1.0, None, 2.5]).tolist()[::2] == [1.0, 2.5]
    assert np.isnan(_part("miss_distance_m", 3, [1.0, None, 2.5])[1])
    kinds = _part("kind", 2, ["intercept_hit", "intercept_miss"])
    assert kinds.dtype == object and kinds.tolist() == ["intercept_hit", "intercept_miss"]
    src = np.array([1.0, 2.0])
    part = _part("x_m", 2, src)
    src[0] = 99.0  # the caller's array changes after the call: the recorded value does not
    assert part.tolist() == [1.0, 2.0]
    joined = _column("track_id", [_part("track_id", 2, 7), _part("track_id", 1, np.array([3]))])
    assert joined.tolist() == [7, 7, 3] and joined.dtype == np.int64
    assert _column("detail", []).shape == (0,)


def test_lists_arrays_and_table_agree(small_run):
    result, _ = small_run
    ev = result.events
    table = result.events_table()
    assert list(ev) == list(EVENT_COLUMNS) and ev.n_rows == table.num_rows > 0
    for c in EVENT_COLUMNS:
        values, arr = ev[c], ev.array(c)
        assert len(values) == arr.size == ev.n_rows, c
        on_disk = table[c].to_pylist()
        if EVENT_TYPES[c] == "float64":
            missing = np.isnan(arr)
            if c in ("x_m", "y_m", "z_m", "t_s"):  # NaN in memory (as before), null on disk
                assert all(v != v for v, m in zip(values, missing) if m), c
            else:  # the nullable figures are None in memory
                assert all((v is None) == m for v, m in zip(values, missing)), c
            assert [v is None for v in on_disk] == missing.tolist(), c
            assert np.array_equal(np.array(on_disk, float)[~missing], arr[~missing]), c
        elif EVENT_TYPES[c] == "int64":  # -1 ("none") in memory, null on disk
            assert values == arr.tolist(), c
            assert on_disk == [v if v >= 0 else None for v in values], c
        else:
            assert values == arr.tolist(), c
            assert on_disk == [v if v else None for v in values], c  # empty text is a null on disk


def test_map_draws_routes_as_gapped_arrays_and_every_intercept(small_run):
    from iadsim.report.run_report import DETECTION_POINTS, map_figure

    result, _ = small_run
    from iadsim.report.palette import EVENTS

    fig = map_figure(result)
    by_name = {t.name: t for t in fig.data if t.xaxis in (None, "x")}  # the main view (the overview repeats routes)
    flown = result.threat_active.any(axis=0)
    classes = np.array(result.compiled.threat_classes)
    for cls in dict.fromkeys(classes):
        x = np.asarray(by_name[f"route: {cls}"].x, float)
        assert np.isnan(x).sum() == np.count_nonzero(flown & (classes == cls))  # one gap after each route
    kinds = result.events.array("kind")
    for kind in ("intercept_hit", "intercept_miss", "leak"):
        n = np.count_nonzero(kinds == kind)
        label = EVENTS[kind][0]
        assert (len(by_name[label].x) if label in by_name else 0) == n, kind
    det = [t for t in fig.data if t.name.startswith("detections")]
    n_det = np.count_nonzero(kinds == "detect")
    assert len(det) == 1 and det[0].visible == "legendonly"
    assert 0 < len(det[0].x) <= min(n_det, 2 * DETECTION_POINTS)


def test_czml_written_packet_by_packet_is_the_document(small_run, tmp_path):
    from iadsim.export.czml import build_czml, write_czml
    from iadsim.export.replay import Replay

    result, _ = small_run
    rep = Replay.from_result(result)
    write_czml(rep, tmp_path / "replay.czml")
    assert (tmp_path / "replay.czml").read_text(encoding="utf-8") == build_czml(rep).dumps()


def test_no_events_give_empty_columns():
    from iadsim.record import EventColumns

    empty = EventColumns({c: _column(c, []) for c in EVENT_COLUMNS})
    assert empty.n_rows == 0 and all(empty[c] == [] for c in EVENT_COLUMNS)
