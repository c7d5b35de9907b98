/**
 * The picture of a guardian check: one self-contained HTML page (no scripts, no external resources, inline SVG)
 * with the verdict on top and one chart per feature, training against serving shares per bin, drifted features
 * marked. Every text taken from the report is escaped.
 */
import type { GuardFeatureResult, GuardPredictionResult, GuardReport } from '@slipway/sdk';
import { escapeHtml, formatNumber, formatShare } from './html.js';

const WIDTH = 640;
const HEIGHT = 180;
const TOP = 10;
const BOTTOM = 40;
const LEFT = 40;

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2330;max-width:60rem}
h1{font-size:1.4rem}.verdict{padding:.8rem 1rem;border-radius:.4rem;font-weight:600}
.drifted{background:#fde2e1;color:#8a1c14}.stable{background:#e3f5e8;color:#185c2c}.none{background:#eceff3}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.2rem .8rem;text-align:left;border-bottom:1px solid #dde}
section{margin:1.5rem 0}section.drift h2{color:#8a1c14}h2{font-size:1.1rem}.legend span{margin-right:1rem}
.training{fill:#7b8794}.serving{fill:#2f6fde}section.drift .serving{fill:#d64534}`;

/** The HTML page of a guard report (a complete document). */
export function renderGuardPage(report: GuardReport): string {
  const title = `Drift check ${report.checkId}: ${report.model} v${report.version}`;
  const charts = report.features.map((feature) => featureSection(feature));
  if (report.prediction) charts.push(predictionSection(report.prediction));
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    verdictBanner(report),
    summaryTable(report),
    '<p class="legend"><span>■ training</span><span style="color:#2f6fde">■ serving</span></p>',
    ...charts,
    '</body></html>',
    '',
  ].join('\n');
}

function verdictBanner(report: GuardReport): string {
  if (!report.enoughSamples) {
    const text = `No verdict: ${report.samples} rows compared, fewer than the ${report.policy.minSamples} needed`;
    return `<p class="verdict none">${escapeHtml(text)}</p>`;
  }
  const share = `${report.driftedFeatures.length} drifted (${formatShare(report.driftShare)}; threshold ${formatShare(report.policy.driftShare)})`;
  const text = report.drifted ? `DRIFTED: ${share}: ${report.driftedFeatures.join(', ')}` : `No drift: ${share}`;
  return `<p class="verdict ${report.drifted ? 'drifted' : 'stable'}">${escapeHtml(text)}</p>`;
}

function summaryTable(report: GuardReport): string {
  const window = `${report.window.from ?? '(start)'} – ${report.window.to}`;
  const rows: [string, string][] = [
    ['Model', `${report.model} version ${report.version} (alias ${report.alias})`],
    ['Source', report.source],
    ['Window', window],
    ['Rows compared', `${report.samples} (window ${report.windowRows}, imputed left out ${report.imputedRows})`],
  ];
  if (report.prediction === null && report.predictionNote) rows.push(['Prediction drift', report.predictionNote]);
  if (report.health) {
    const h = report.health;
    const p99 = h.p99Ms === null ? 'n/a' : `${formatNumber(h.p99Ms)} ms`;
    rows.push([
      'Serving health',
      `${h.requests} requests, ${h.errors} errors (${formatShare(h.errorRate)}), p99 ${p99}${h.breached ? ' — BREACHED' : ''}`,
    ]);
  }
  const body = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<table>${body}</table>`;
}

function featureSection(feature: GuardFeatureResult): string {
  const p = feature.pValue === undefined ? '' : `, p-value ${formatNumber(feature.pValue)}`;
  const rule = feature.pValue === undefined ? `> ${feature.threshold}` : `p < ${feature.threshold}`;
  const heading = `${feature.feature} (${feature.kind}) — ${feature.test} ${formatNumber(feature.statistic)}${p}; drift when ${rule}${feature.drifted ? ' — DRIFTED' : ''}`;
  return section(
    feature.drifted,
    heading,
    feature.bins,
    feature.expected,
    feature.actual,
    `feature ${feature.feature}`,
  );
}

function predictionSection(prediction: GuardPredictionResult): string {
  const p = prediction.pValue === undefined ? '' : `, p-value ${formatNumber(prediction.pValue)}`;
  const heading = `prediction ${prediction.of} — ${prediction.test} ${formatNumber(prediction.statistic)}${p}${prediction.drifted ? ' — DRIFTED' : ''}${prediction.counted ? '' : ' (not counted in the verdict)'}`;
  return section(prediction.drifted, heading, prediction.bins, prediction.expected, prediction.actual, 'prediction');
}

function section(
  drifted: boolean,
  heading: string,
  bins: readonly string[],
  expected: readonly number[],
  actual: readonly number[],
  label: string,
): string {
  return [
    `<section class="${drifted ? 'drift' : 'ok'}">`,
    `<h2>${escapeHtml(heading)}</h2>`,
    barChart(bins, expected, actual, label),
    '</section>',
  ].join('\n');
}

/** Paired bars per bin: training (grey) and serving (blue, red when drifted), on a 0..max share axis. */
function barChart(
  bins: readonly string[],
  expected: readonly number[],
  actual: readonly number[],
  label: string,
): string {
  const max = Math.max(0.01, ...expected, ...actual);
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / Math.max(1, bins.length);
  const bar = Math.max(1, slot * 0.38);
  const parts: string[] = [];
  bins.forEach((bin, i) => {
    const x = LEFT + i * slot + slot * 0.1;
    for (const [k, share, cls] of [
      [0, expected[i] ?? 0, 'training'],
      [1, actual[i] ?? 0, 'serving'],
    ] as const) {
      const h = (share / max) * plotHeight;
      const title = `${bin}: ${cls} ${formatShare(share)}`;
      parts.push(
        `<rect class="${cls}" x="${(x + k * bar).toFixed(1)}" y="${(TOP + plotHeight - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(title)}</title></rect>`,
      );
    }
    const tx = (x + bar).toFixed(1);
    parts.push(
      `<text x="${tx}" y="${HEIGHT - BOTTOM + 14}" font-size="9" text-anchor="middle">${escapeHtml(shorten(bin))}</text>`,
    );
  });
  const axis = `<text x="0" y="${TOP + 8}" font-size="9">${formatShare(max)}</text><line x1="${LEFT}" y1="${TOP + plotHeight}" x2="${WIDTH}" y2="${TOP + plotHeight}" stroke="#999"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(`training vs serving shares, ${label}`)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${axis}${parts.join('')}</svg>`;
}

function shorten(text: string): string {
  return text.length > 14 ? `${text.slice(0, 13)}…` : text;
}
