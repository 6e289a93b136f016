import { escapeHtml } from '../escape.js';

/** One stylesheet for report.html and compare.html: system fonts only, print-friendly, no network. */
const css = `
:root { color-scheme: light; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --series: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans JP", sans-serif; color: var(--fg); background: #fff; }
header, main { max-width: 1280px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; } nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 14px; }
a { color: var(--series); }
table { border-collapse: collapse; margin: 8px 0 14px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--muted); }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; } tbody th { font-weight: 500; font-family: ui-monospace, monospace; font-size: 13px; }
small { color: var(--muted); }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-weight: 700; border: 1px solid currentColor; }
.badge.pass { color: var(--pass); } .badge.fail { color: #fff; background: var(--fail); border-color: var(--fail); }
.badge.skip { color: var(--muted); } .badge.warn { color: var(--warn); }
.headline { font-size: 17px; font-weight: 700; padding: 8px 12px; border-radius: 6px; }
.headline.pass { background: #dafbe1; color: var(--pass); } .headline.fail { background: #ffebe9; color: var(--fail); }
.regressed { background: #ffebe9; }
.chart-row { display: grid; gap: 16px; grid-template-columns: 1fr; }
.chart-row.cols-2 { grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
.chart-figure { margin: 6px 0 12px; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 100%; max-width: 720px; height: auto; display: block; border: 1px solid var(--line); border-radius: 4px; }
svg .grid { stroke: #eaeef2; } svg .axis { stroke: var(--muted); } svg .tick, svg .axis-label { font-size: 11px; fill: var(--muted); }
svg .series.line { fill: none; stroke: var(--series); stroke-width: 2; } svg .point { fill: var(--series); }
svg .series.bars { fill: #54aeff; stroke: var(--series); stroke-width: 1; }
svg .range { fill: var(--series); opacity: 0.15; }
svg .series.compare { fill: none; stroke: var(--fg); stroke-width: 2; stroke-dasharray: 6 4; } svg .legend { font-size: 11px; fill: var(--muted); }
svg .limit { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 6 4; } svg .limit-label { font-size: 11px; fill: var(--fail); }
svg .fault-band { fill: #d4a72c; opacity: 0.22; } svg .fault-band.failed { fill: var(--fail); }
svg .kill { stroke: #953800; stroke-width: 1.5; stroke-dasharray: 3 3; }
.legend ul { margin: 2px 0 8px; padding-left: 0; list-style: none; } .legend p { margin: 4px 0 0; color: var(--muted); }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 6px; vertical-align: middle; }
.fault-swatch { background: #d4a72c; opacity: 0.5; } .kill-swatch { border-left: 2px dashed #953800; }
.not-recorded { color: var(--muted); font-style: italic; border: 1px dashed var(--line); padding: 10px; border-radius: 4px; }
details summary { cursor: pointer; color: var(--muted); } code { font-size: 12px; word-break: break-all; }
@media print { details { display: none; } .chart-row.cols-2 { grid-template-columns: 1fr 1fr; } }
`;

/** A whole, self-contained HTML document: inline CSS, inline SVG, no script and nothing fetched. */
export function page(options: { title: string; intro: string; nav: Array<[string, string]>; sections: string[] }): string {
  const nav = options.nav.map(([id, label]) => `<li><a href="#${escapeHtml(id)}">${escapeHtml(label)}</a></li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(options.title)}</title>
<style>${css}</style>
</head>
<body>
<header><h1>${escapeHtml(options.title)}</h1>${options.intro}<nav aria-label="Sections"><ul>${nav}</ul></nav></header>
<main>
${options.sections.join('\n')}
</main>
</body>
</html>
`;
}
