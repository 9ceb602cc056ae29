"""Reports: self-contained HTML that opens offline (Plotly with its JavaScript embedded)."""
