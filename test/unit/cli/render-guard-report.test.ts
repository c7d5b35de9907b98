/**
 * `slipway guard report` renders a guard check's report in the terminal: the verdict, what was compared, a row per
 * feature with its test, statistic, verdict and a bar per bin, the prediction drift and the serving health.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bar, renderGuardReport } from '../../../packages/worker/src/cli/render-guard-report.js';
import { sampleReport } from '../guard/report-fixture.js';

const plain = (text: string) => stripVTControlCharacters(text);

describe('renderGuardReport', () => {
  it('renders the verdict, each feature with bars, the prediction and health', () => {
    const text = plain(renderGuardReport(sampleReport()));
    const lines = text.split('\n');
    expect(lines[0]).toBe('guard check guardian:churn/check-3  churn v4 (champion)');
    expect(lines[1]).toBe('DRIFTED: 1 drifted, share 50.0% (drifted at ≥ 50.0%): tenure');
    expect(lines[2]).toBe(
      'window 2026-03-01T00:00:00.000Z → 2026-03-01T01:00:00.000Z; 500 rows compared (502 in the window, 2 imputed left out)',
    );
    expect(text).toMatch(/│ tenure\s+│ psi\s+│ 1\.25\s+│ drifted │ ≤ 10\s+██████ +30\.0% {2}█ +5\.0%/);
    expect(text).toMatch(/│ plan\s+│ chi-square \*\s+│ 1\.20\s+│ ok/);
    expect(text).toContain('p 5.50e-1');
    expect(text).toContain('> 20     ██████                30.0%  ████████████████      80.0%');
    expect(text).toContain('* a per-feature override of the policy');
    expect(text).toContain('prediction drift (score, 500 predictions): psi 0.400 drifted (not counted in the verdict)');
    expect(text).toContain('serving health: 40 requests, 1 errors (2.5%), p99 12.5 ms ok');
  });

  it('says when there is no verdict, no prediction drift and no health', () => {
    const report = {
      ...sampleReport(),
      enoughSamples: false,
      drifted: false,
      driftShare: 0,
      driftedFeatures: [],
      features: [],
      samples: 12,
      prediction: null,
      predictionNote: 'no served prediction in the compared rows',
      health: null,
    };
    const text = plain(renderGuardReport(report));
    expect(text).toContain('no verdict: 12 rows, fewer than minSamples 200');
    expect(text).toContain('prediction drift: none (no served prediction in the compared rows)');
    expect(text).toContain('serving health: not measured (rows source)');
    expect(text).not.toContain('┌');
  });

  it('draws bars in eighths of a cell', () => {
    expect(bar(0, 4)).toBe('    ');
    expect(bar(1, 4)).toBe('████');
    expect(bar(0.5, 4)).toBe('██  ');
    expect(bar(1 / 32, 4)).toBe('▏   ');
    expect(bar(2, 4)).toBe('████');
  });
});
