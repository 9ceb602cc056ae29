"""Reports: self-contained HTML that opens offline (Plotly with its JavaScript embedded).

``run_report`` renders one run (map, timeline, channel and inventory use, Blake charts, outcome
and source tables); ``blake`` draws a radar's range–height–angle coverage chart (matplotlib PNG).
"""
