/** The HTML page of a guard report: self-contained, one chart per feature, verdict first, every text escaped. */
import { describe, expect, it } from 'vitest';
import { renderGuardPage } from '../../../packages/activities/src/guard/index.js';
import { sampleReport } from './report-fixture.js';

describe('guard report page', () => {
  it('puts the verdict first and draws one chart per feature and one for the prediction', () => {
    const page = renderGuardPage(sampleReport());
    expect(page.startsWith('<!doctype html>')).toBe(true);
    const verdict = page.indexOf('class="verdict drifted"');
    expect(verdict).toBeGreaterThan(0);
    expect(verdict).toBeLessThan(page.indexOf('<svg'));
    expect(page).toContain('DRIFTED: 1 drifted (50.0%; threshold 50.0%): tenure');
    expect(page.match(/<svg /g)).toHaveLength(3);
    expect(page.match(/<section class="drift">/g)).toHaveLength(2); // tenure and the prediction
    expect(page).toContain('aria-label="training vs serving shares, feature plan"');
    // Two bars per bin: 3 + 3 + 2 bins.
    expect(page.match(/<rect class="(training|serving)"/g)).toHaveLength(16);
    expect(page).toContain('<title>&gt; 20: serving 80.0%</title>');
    expect(page).toContain('(not counted in the verdict)');
  });

  it('loads nothing from elsewhere and runs no script', () => {
    const page = renderGuardPage(sampleReport());
    expect(page).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
  });

  it('escapes every text taken from the report', () => {
    const evil = '<script>alert("x")</script>&';
    const report = sampleReport(evil);
    report.model = '<b>m</b>';
    report.source = `"'><img onerror=1>`;
    const page = renderGuardPage(report);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>m</b>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
    expect(page).toContain('&quot;&#39;&gt;&lt;img onerror=1&gt;');
  });

  it('says when there is no verdict', () => {
    const report = {
      ...sampleReport(),
      enoughSamples: false,
      drifted: false,
      features: [],
      samples: 12,
      prediction: null,
    };
    const page = renderGuardPage(report);
    expect(page).toContain('No verdict: 12 rows compared, fewer than the 200 needed');
    expect(page).not.toContain('<svg');
  });
});
