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


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style><script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{html.escape(title)}</h1><p class="note">{html.escape(NOTE)}</p>
{body}</body></html>"""


def _div(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id)


def distribution_figure(per_run) -> go.Figure:
    """Histograms (counts of runs) of leakers and interceptors fired per run."""
    fig = go.Figure()
    for values, name in ((per_run.leakers, "leakers per run"), (per_run.rounds_fired, "interceptors fired per run")):
        v, c = np.unique(np.asarray(values, int), return_counts=True)
        fig.add_bar(x=v, y=c, name=name, opacity=0.75)
    fig.update_layout(title="Distribution over runs", barmode="group", xaxis_title="count in one run",
                      yaxis_title="runs", height=380)
    return fig


def convergence_figure(conv: dict) -> go.Figure:
    """Half-width of the 95 % interval against runs, with the 1/√n slope through the last point."""
    fig = go.Figure()
    n = np.asarray(conv["n"], float)
    for name, hw in conv.items():
        if name == "n":
            continue
        hw = np.asarray(hw, float)
        fig.add_scatter(x=n, y=hw, mode="lines+markers", name=name)
        if n.size and np.isfinite(hw[-1]) and hw[-1] > 0:
            fig.add_scatter(x=n, y=hw[-1] * np.sqrt(n[-1] / n), mode="lines", line=dict(dash="dot", width=1),
                            name=f"{name}: 1/√n", showlegend=True)
    fig.update_layout(title="Convergence: 95 % interval half-width against runs", xaxis_type="log", yaxis_type="log",
                      xaxis_title="runs", yaxis_title="half-width", height=420)
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
    """Paired differences (other − base) with their 95 % intervals, one row per metric."""
    fig = go.Figure()
    names = [r["metric"] for r in rows]
    d = np.array([r["difference"] for r in rows], float)
    fig.add_scatter(x=d, y=names, mode="markers", name=f"{label} − {label_base}",
                    error_x=dict(type="data", symmetric=False, array=np.array([r["hi"] for r in rows]) - d,
                                 arrayminus=d - np.array([r["lo"] for r in rows])))
    fig.add_vline(x=0, line_dash="dot")
    fig.update_layout(title=f"{label} − {label_base} (paired, common random numbers)", xaxis_title="difference",
                      height=max(300, 40 * len(rows) + 120), yaxis=dict(autorange="reversed"))
    return fig


def difference_rows(rows: list[dict]) -> list[list]:
    return [[r["metric"], fmt(r["base"]), fmt(r["other"]), fmt(r["difference"]), f"[{fmt(r['lo'])}, {fmt(r['hi'])}]",
             "yes" if r["significant"] else "no", r["n"]] for r in rows]


DIFF_HEADER = ["metric", "first", "this", "difference", "95 % interval", "interval excludes 0", "paired runs"]


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
