/// The report's stylesheet: readable on a laptop, printable (sections avoid page breaks).
enum ReportStyle {
    /// CSS inlined into the page head (no external fonts or files).
    static let css = """
    :root { --ok: #2e7d32; --cached: #5c7a99; --fail: #c62828; --run: #ef8f00; --ink: #1d232b; --muted: #66707c; --line: #d9dee4; }
    * { box-sizing: border-box; }
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
           margin: 0 auto; max-width: 1180px; padding: 24px; background: #fff; }
    h1 { font-size: 24px; margin: 0 0 4px; }
    h2 { font-size: 18px; margin: 0 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
    h3 { font-size: 15px; margin: 12px 0 6px; }
    .sub { color: var(--muted); margin-bottom: 20px; }
    section { margin: 0 0 28px; break-inside: avoid; page-break-inside: avoid; }
    table { border-collapse: collapse; font-size: 13px; }
    th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .status-succeeded { color: var(--ok); } .status-failed { color: var(--fail); } .status-skipped { color: var(--cached); }
    .status-running { color: var(--run); }
    .charts { display: flex; flex-wrap: wrap; gap: 16px; }
    .chart { border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
    svg text { font-family: inherit; }
    .gallery-row { display: flex; flex-wrap: wrap; gap: 7px; margin-bottom: 16px; align-items: flex-start; }
    .tile { width: 92px; font-size: 11px; }
    .tile.query { width: 112px; border-right: 2px solid var(--ink); padding-right: 8px; }
    .thumb { width: 100%; aspect-ratio: 1 / 1; object-fit: contain; background: #f3f5f7; border: 1px solid var(--line);
             display: block; }
    .noimg { width: 100%; aspect-ratio: 1 / 1; background: #eceff2; border: 1px dashed var(--line); color: var(--muted);
             display: flex; align-items: center; justify-content: center; }
    .tile .t { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
    .tile .d { color: var(--muted); }
    .textq { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; margin-bottom: 16px; }
    .textq ol { margin: 0; padding-left: 22px; font-size: 12px; }
    .dist { color: var(--muted); font-variant-numeric: tabular-nums; }
    .cm td { text-align: right; min-width: 44px; }
    .notes { color: var(--muted); font-size: 12px; }
    @media print { body { max-width: none; padding: 0; } .chart { border: none; } }
    """
}
