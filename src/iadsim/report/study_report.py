"""HTML reports of Monte Carlo studies, comparisons and sweeps.

One self-contained file each, with Plotly's JavaScript embedded once (opens offline), like the
run report (:mod:`iadsim.report.run_report`): distributions of leakers and interceptors spent,
the metrics with 95 % intervals, and the interval half-width against the number of runs.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from iadsim.report import palette
from iadsim.report.run_report import CSS

NOTE = ("Simulation from public-source, graded figures; intervals are 95 % and describe Monte Carlo "
        "uncertainty only, not the uncertainty of the input figures. Not a prediction of real performance.")
SWEEP_METRICS = ("leakers (all raids)", "P(raid annihilation)", "interceptors per kill")


def fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{digits}g}" if isinstance(x, float) else str(x)


def _table(rows, header) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def metric_rows(stats) -> list[list]:
    return [[r["metric"], fmt(r["estimate"]), f"[{fmt(r['lo'])}, {fmt(r['hi'])}]", fmt(r["half_width"], 2), r["n"],
             r["method"], r["unit"]] for r in stats.rows]


METRIC_HEADER = ["metric", "estimate", "95 % interval", "half-width", "runs", "interval", "unit"]
TERMINAL_METRIC_HEADER = ["metric", "estimate", "95 % interval", "unit"]  # fits 80 columns; the report has the rest


def terminal_metric_rows(stats) -> list[list]:
    return [[r["metric"], fmt(r["estimate"]), f"[{fmt(r['lo'])}, {fmt(r['hi'])}]", r["unit"] or ""] for r in stats.rows]


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style><script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{html.escape(title)}</h1><p class="note">{html.escape(NOTE)}</p>
{body}</body></html>"""


def _div(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id)


def distribution_figure(per_run) -> go.Figure:
    """Histograms (counts of runs) of leakers and of interceptors fired per run, each on its own
    axes (different quantities, different spans)."""
    from plotly.subplots import make_subplots

    series = ((per_run.leakers, "leakers per run", palette.EVENTS["leak"][2]),
              (per_run.rounds_fired, "interceptors fired per run", palette.MISSILE_COLOURS[0]))
    fig = make_subplots(rows=1, cols=2, subplot_titles=[name for _, name, _ in series], horizontal_spacing=0.12)
    for col, (values, name, colour) in enumerate(series, start=1):
        v, c = np.unique(np.asarray(values, int), return_counts=True)
        fig.add_bar(x=v, y=c, name=name, marker_color=colour, showlegend=False, row=1, col=col)
        span = (v.max() - v.min()) if v.size else 0
        fig.update_xaxes(title_text=name.replace(" per run", " in one run"), dtick=1 if span <= 12 else None,
                         tickformat="d", row=1, col=col)
        fig.update_yaxes(title_text="runs", tickformat="d", row=1, col=col)
    fig.update_layout(title="Distribution over runs", height=380, bargap=0.15)
    return fig


def _log_ticks(n: np.ndarray) -> dict:
    """Tick values for a log axis of run counts: 1-2-5 steps, whole numbers only, at most ~8."""
    lo, hi = float(n.min()), float(n.max())
    ticks = [m * 10 ** e for e in range(0, 8) for m in (1, 2, 5) if lo <= m * 10 ** e <= hi]
    if len(ticks) < 3:
        ticks = sorted(set(int(x) for x in np.unique(np.round(np.geomspace(lo, hi, 5)))))
    return dict(tickvals=ticks, ticktext=[f"{t:,}" for t in ticks])


def convergence_figure(conv: dict) -> go.Figure:
    """Half-width of the 95 % interval against runs, one panel per metric (each in its own unit),
    with the 1/√n slope through the last point (dotted, same colour)."""
    from plotly.subplots import make_subplots

    names = [k for k in conv if k != "n"]
    fig = make_subplots(rows=1, cols=max(len(names), 1), subplot_titles=names, horizontal_spacing=0.08)
    n = np.asarray(conv["n"], float)
    for col, name in enumerate(names, start=1):
        colour = palette.MISSILE_COLOURS[(col - 1) % len(palette.MISSILE_COLOURS)]
        hw = np.asarray(conv[name], float)
        fig.add_scatter(x=n, y=hw, mode="lines+markers", line=dict(color=colour), name="half-width",
                        showlegend=col == 1, legendgroup="hw", row=1, col=col)
        if n.size and np.isfinite(hw[-1]) and hw[-1] > 0:
            fig.add_scatter(x=n, y=hw[-1] * np.sqrt(n[-1] / n), mode="lines", line=dict(dash="dot", width=1.5, color="#495057"),
                            name="1/√n through the last point", showlegend=col == 1, legendgroup="ref", row=1, col=col)
        fig.update_xaxes(type="log", title_text="runs", **(_log_ticks(n) if n.size else {}), row=1, col=col)
        fig.update_yaxes(type="log", tickformat=".2g", nticks=5, row=1, col=col)
    fig.update_yaxes(title_text="95 % half-width (metric's unit)", row=1, col=1)
    fig.update_layout(title="Convergence: 95 % interval half-width against runs", height=400,
                      legend=dict(orientation="h", x=0, y=1.22), margin=dict(t=110))
    return fig


def render_study_report(meta: dict, stats) -> str:
    """A study's report; ``meta`` holds scenario, study_id, study_seed, runs, store, version."""
    kpis = "".join(f'<div class="kpi"><b>{html.escape(str(v))}</b>{html.escape(k)}</div>'
                   for k, v in (("runs", len(stats.per_run.run_index)), ("failed runs", stats.n_failed),
                                ("study seed", meta.get("study_seed")), ("scenario", meta.get("scenario"))))
    conv = stats.convergence
    conv_rows = [[n] + [fmt(conv[k][i], 2) for k in conv if k != "n"] for i, n in enumerate(conv["n"])]
    body = f"""<p>study <code>{html.escape(str(meta.get('study_id')))}</code>, store {html.escape(str(meta.get('store')))},
iadsim {html.escape(str(meta.get('version')))}</p><div>{kpis}</div>
<h2>Metrics with 95 % intervals</h2>{_table(metric_rows(stats), METRIC_HEADER)}
<p class="note">Exchange ratio = threats killed per interceptor fired (Σ kills / Σ rounds over runs);
interceptors per kill is its inverse. Raid annihilation: every threat of the scenario killed.
An asset survives a run when no leaker reaches it.</p>
{_div(distribution_figure(stats.per_run), "distribution")}
{_div(convergence_figure(conv), "convergence")}
{_table(conv_rows, ["runs"] + [f"half-width: {k}" for k in conv if k != "n"])}"""
    return _page(f"iadsim study: {meta.get('scenario')}", body)


def difference_figure(label_base: str, label: str, rows: list[dict]) -> go.Figure:
    """Paired differences (other − base) with their 95 % intervals: one row per metric, each on its
    own axis (metrics have different units and spans), zero marked."""
    from plotly.subplots import make_subplots

    n = max(len(rows), 1)
    fig = make_subplots(rows=n, cols=1, vertical_spacing=min(0.55 / n, 0.12),
                        row_titles=None, subplot_titles=[f"{r['metric']}" for r in rows])
    for k, r in enumerate(rows, start=1):
        d, lo, hi = (float("nan") if r[x] is None else float(r[x]) for x in ("difference", "lo", "hi"))
        colour = palette.EVENTS["intercept_hit"][2] if r["significant"] else "#495057"
        fig.add_scatter(x=[d], y=[""], mode="markers", marker=dict(size=10, color=colour), showlegend=False,
                        error_x=dict(type="data", symmetric=False, array=[hi - d], arrayminus=[d - lo], color=colour, width=8),
                        hovertemplate=f"{r['metric']}: %{{x:.3g}} [{fmt(r['lo'])}, {fmt(r['hi'])}]<extra></extra>", row=k, col=1)
        fig.add_vline(x=0, line=dict(dash="dot", color="#868e96"), row=k, col=1)
        ends = np.abs([lo, hi, d])
        span = float(ends[np.isfinite(ends)].max(initial=0.0))
        span = span if span > 1e-9 else 1.0  # no difference at all (or none defined): a unit-wide axis
        fig.update_xaxes(range=[-1.15 * span, 1.15 * span], zeroline=False, row=k, col=1)
    fig.update_annotations(font_size=12)
    fig.update_layout(title=f"{label} − {label_base} (paired, common random numbers; 95 % intervals; "
                            "green: the interval excludes 0)", height=105 * n + 120, margin=dict(t=80))
    return fig


def difference_rows(rows: list[dict]) -> list[list]:
    return [[r["metric"], fmt(r["base"]), fmt(r["other"]), fmt(r["difference"]), f"[{fmt(r['lo'])}, {fmt(r['hi'])}]",
             "yes" if r["significant"] else "no", r["n"]] for r in rows]


DIFF_HEADER = ["metric", "first", "this", "difference", "95 % interval", "interval excludes 0", "paired runs"]
TERMINAL_DIFF_HEADER = ["metric", "first", "this", "difference [95 % interval]", "excludes 0"]


def terminal_difference_rows(rows: list[dict]) -> list[list]:
    return [[r["metric"], fmt(r["base"]), fmt(r["other"]), f"{fmt(r['difference'])} [{fmt(r['lo'])}, {fmt(r['hi'])}]",
             "yes" if r["significant"] else "no"] for r in rows]


def render_compare_report(labels: list[str], stats: list, diffs: list[list[dict]], meta: dict) -> str:
    parts = [f"<p>alternatives: {html.escape(', '.join(labels))}; study seed {meta.get('study_seed')}; "
             f"store {html.escape(str(meta.get('store')))}</p>"]
    for k, (label, rows) in enumerate(zip(labels[1:], diffs), start=1):
        parts += [f"<h2>{html.escape(label)} against {html.escape(labels[0])}</h2>",
                  _div(difference_figure(labels[0], label, rows), f"diff{k}"), _table(difference_rows(rows), DIFF_HEADER)]
    for label, s in zip(labels, stats):
        parts += [f"<h2>{html.escape(label)}: metrics</h2>", _table(metric_rows(s), METRIC_HEADER)]
    return _page("iadsim comparison: " + " vs ".join(labels), "\n".join(parts))


def sweep_figures(axes, points, stats) -> list[go.Figure]:
    """Line plots with interval bars (one parameter) or heat maps of the estimates (two parameters)."""
    figs = []
    for metric in SWEEP_METRICS:
        rows = [s.row(metric) for s in stats]
        if len(axes) == 1:
            x = [str(p.values[0]) for p in points]
            est = np.array([r["estimate"] for r in rows], float)
            fig = go.Figure(go.Scatter(x=x, y=est, mode="lines+markers", name=metric,
                                       error_y=dict(type="data", symmetric=False,
                                                    array=np.array([r["hi"] for r in rows]) - est,
                                                    arrayminus=est - np.array([r["lo"] for r in rows]))))
            fig.update_layout(title=f"{metric} against {axes[0].name} (95 % intervals)", xaxis_title=axes[0].name,
                              yaxis_title=metric, height=380, xaxis_type="category")
        else:
            xs, ys = [str(v) for v in axes[0].values], [str(v) for v in axes[1].values]
            z = np.array([r["estimate"] for r in rows], float).reshape(len(xs), len(ys)).T
            text = np.array([f"{fmt(r['estimate'])}<br>[{fmt(r['lo'])}, {fmt(r['hi'])}]" for r in rows],
                            object).reshape(len(xs), len(ys)).T
            fig = go.Figure(go.Heatmap(x=xs, y=ys, z=z, text=text, texttemplate="%{text}", colorbar_title=metric))
            fig.update_layout(title=f"{metric} (estimate and 95 % interval)", xaxis_title=axes[0].name,
                              yaxis_title=axes[1].name, height=460, xaxis_type="category", yaxis_type="category")
        figs.append(fig)
    return figs


def render_sweep_report(axes, points, stats, meta: dict) -> str:
    rows = [[p.label] + [f"{fmt(s.row(m)['estimate'])} [{fmt(s.row(m)['lo'])}, {fmt(s.row(m)['hi'])}]"
                         for m in SWEEP_METRICS] + [len(s.per_run.run_index)] for p, s in zip(points, stats)]
    divs = "\n".join(_div(f, f"sweep{k}") for k, f in enumerate(sweep_figures(axes, points, stats)))
    body = f"""<p>scenario {html.escape(str(meta.get('scenario')))}; parameters {html.escape(', '.join(a.name for a in axes))};
study seed {meta.get('study_seed')} (common random numbers across points); store {html.escape(str(meta.get('store')))}</p>
{divs}<h2>Points</h2>{_table(rows, ["point"] + list(SWEEP_METRICS) + ["runs"])}"""
    return _page(f"iadsim sweep: {meta.get('scenario')}", body)
