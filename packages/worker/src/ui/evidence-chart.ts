/**
 * An inline SVG chart of the candidate against the champion, one pair of bars per metric, each pair scaled to its
 * own metric (AUC and RMSE do not share an axis), with the change and its verdict. Colours are SVG attributes,
 * not inline styles, so the page's `default-src 'self'` policy holds.
 */
import type { MetricComparison } from '@slipway/sdk';
import { html, type Html } from './html.js';

const WIDTH = 640;
const LABEL = 130;
const BAR_AREA = 380;
const ROW = 54;
const BAR = 16;
const COLOURS = { candidate: '#2a5bd7', champion: '#9aa3b5' } as const;
const VERDICT_COLOURS = { better: '#17794a', worse: '#b3261e', same: '#5b6478' } as const;

/** The chart, or a sentence when no metric can be drawn. */
export function evidenceChart(comparison: readonly MetricComparison[]): Html {
  const rows = comparison.filter((c) => c.candidate !== null || c.champion !== null);
  if (rows.length === 0) return html`<p class="muted">No metrics to chart.</p>`;
  const height = rows.length * ROW + 34;
  return html`<svg
    class="chart"
    role="img"
    aria-label="candidate against champion, per metric"
    xmlns="http://www.w3.org/2000/svg"
    width="${WIDTH}"
    height="${height}"
    viewBox="0 0 ${WIDTH} ${height}"
  >
    ${legend()} ${rows.map((row, i) => metricRow(row, 28 + i * ROW))}
  </svg>`;
}

function legend(): Html {
  return html`<g>
    <rect x="${LABEL}" y="4" width="12" height="12" fill="${COLOURS.candidate}" /><text x="${LABEL + 18}" y="14"
      >candidate</text
    >
    <rect x="${LABEL + 100}" y="4" width="12" height="12" fill="${COLOURS.champion}" /><text x="${LABEL + 118}" y="14"
      >champion</text
    >
  </g>`;
}

function metricRow(row: MetricComparison, y: number): Html {
  const scale = Math.max(Math.abs(row.candidate ?? 0), Math.abs(row.champion ?? 0)) || 1;
  const bar = (value: number | null, dy: number, fill: string) => {
    if (value === null) {
      return html`<text x="${LABEL}" y="${y + dy + 12}" class="muted">none</text>`;
    }
    const width = Math.max(1, (Math.abs(value) / scale) * BAR_AREA);
    return html`<rect x="${LABEL}" y="${y + dy}" width="${width.toFixed(1)}" height="${BAR}" fill="${fill}" />
      <text x="${LABEL + width + 6}" y="${y + dy + 12}">${formatNumber(value)}</text>`;
  };
  const verdict = row.verdict ?? 'same';
  const change =
    row.delta === null ? '' : `${row.delta >= 0 ? '+' : ''}${formatNumber(row.delta)} ${row.verdict ?? ''}`;
  return html`<g>
    <text x="0" y="${y + 14}">${row.metric}</text>
    <text x="0" y="${y + 30}" fill="#5b6478">${row.goal} is better</text>
    ${bar(row.candidate, 0, COLOURS.candidate)} ${bar(row.champion, BAR + 2, COLOURS.champion)}
    <text x="${WIDTH - 4}" y="${y + 22}" text-anchor="end" fill="${VERDICT_COLOURS[verdict]}">${change}</text>
  </g>`;
}

/** A metric value for people: up to 4 significant decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : Number(value.toPrecision(4)).toString();
}
