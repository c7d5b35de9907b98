/**
 * Notification events and the bodies a webhook notifier sends: the event itself as JSON, or a Slack-compatible
 * `{ text, blocks }` with the summary and the fields (mrkdwn escaped); an event that breaks the schema is refused
 * naming the field, and the URL a dead-letter line names carries no credentials, query or path token.
 */
import { describe, expect, it } from 'vitest';
import { NotificationEvent, type NotificationEventInput } from '../../../packages/sdk/src/index.js';
import { notificationBody, redactedTarget, slackMessage } from '../../../packages/activities/src/index.js';

const EVENT: NotificationEventInput = {
  id: 'guardian:churn.v2:check-17:drift_detected',
  kind: 'drift_detected',
  model: 'churn.v2',
  version: 3,
  runId: 'guardian:churn.v2',
  summary: '6 of 10 features drifted (share 0.6 >= 0.5) & <prediction> too',
  at: '2026-12-03T06:00:00.000Z',
  details: { driftShare: 0.6, features: ['tenure', 'plan'] },
};

describe('NotificationEvent', () => {
  it('takes an event, with details defaulting to {}', () => {
    const { details: _details, ...bare } = EVENT;
    expect(NotificationEvent.parse(bare).details).toEqual({});
    expect(NotificationEvent.parse(EVENT)).toEqual(EVENT);
  });

  it.each([
    ['an id with a brace', { id: 'x{1}' }, /^id:/],
    ['an id with whitespace', { id: 'a b' }, /^id:/],
    ['an unknown kind', { kind: 'model_exploded' }, /^kind:/],
    ['a local time', { at: '2026-12-03T06:00:00+01:00' }, /^at:/],
    ['an empty summary', { summary: '  ' }, /^summary:/],
    ['details over 8 KiB', { details: { blob: 'x'.repeat(9000) } }, /^details: must take at most 8192 bytes/],
    ['an unknown field', { secret: 'x' }, /Unrecognized key/],
  ])('refuses %s, naming the field', (_what, change, message) => {
    const result = NotificationEvent.safeParse({ ...EVENT, ...change });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(`${issue?.path.join('.')}: ${issue?.message}`).toMatch(message);
  });
});

describe('notification bodies', () => {
  const event = NotificationEvent.parse(EVENT);

  it('json: the event itself', () => {
    expect(JSON.parse(notificationBody(event, 'json'))).toEqual(EVENT);
  });

  it('slack: the summary as text, blocks with the title, fields, details and delivery id, mrkdwn escaped', () => {
    const message = slackMessage(event);
    expect(JSON.parse(notificationBody(event, 'slack'))).toEqual(message);
    expect(message.text).toBe(`Drift detected: ${EVENT.summary}`);
    expect(message.blocks[0]?.text?.text).toBe(
      '*Drift detected*: 6 of 10 features drifted (share 0.6 &gt;= 0.5) &amp; &lt;prediction&gt; too',
    );
    expect(message.blocks[1]?.fields?.map((f) => f.text)).toEqual([
      '*Model*\nchurn.v2',
      '*Version*\n3',
      '*Event*\ndrift_detected',
      '*At*\n2026-12-03T06:00:00.000Z',
      '*Run*\nguardian:churn.v2',
    ]);
    expect(message.blocks[2]?.text?.text).toContain('"driftShare": 0.6');
    expect(message.blocks[3]?.elements?.[0]?.text).toBe(`Slipway delivery ${EVENT.id}`);
  });

  it('slack: leaves out what the event does not have, and cuts long details under Slack limits', () => {
    const bare = NotificationEvent.parse({ ...EVENT, version: undefined, runId: undefined, details: {} });
    const message = slackMessage(bare);
    expect(message.blocks[1]?.fields?.map((f) => f.text.split('\n')[0])).toEqual(['*Model*', '*Event*', '*At*']);
    expect(message.blocks).toHaveLength(3); // summary, fields, delivery id: no details block
    const big = NotificationEvent.parse({ ...EVENT, details: { list: Array.from({ length: 600 }, (_, i) => i) } });
    const details = slackMessage(big).blocks[2]?.text?.text ?? '';
    expect(details.length).toBeLessThanOrEqual(3000);
    expect(details).toContain('… (cut)');
  });
});

describe('redactedTarget', () => {
  it('keeps origin and path, drops credentials, query and fragment, and masks long path tokens', () => {
    expect(redactedTarget('https://user:pw@ops.example.com/hooks/slipway?token=abc#x')).toBe(
      'https://ops.example.com/hooks/slipway',
    );
    expect(redactedTarget('https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx')).toBe(
      'https://hooks.slack.com/services/T0001/B0001/***',
    );
    expect(redactedTarget('not a url')).toBe('(an invalid URL)');
  });
});
