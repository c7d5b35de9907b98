/**
 * The bodies a webhook notifier sends: the event itself as JSON (`format: 'json'`), or a Slack-compatible message
 * (`format: 'slack'`, for Slack incoming webhooks and the many tools that accept their shape): `text` (the summary,
 * shown in notifications and by clients without blocks) and `blocks` (the summary, the event's fields, its details).
 */
import type { NotificationEvent, NotificationKind } from '@slipway/sdk';

/** The body formats a webhook notifier can send. */
export const NotificationFormat = { Json: 'json', Slack: 'slack' } as const;
/** The body formats a webhook notifier can send. */
export type NotificationFormat = (typeof NotificationFormat)[keyof typeof NotificationFormat];

/** How each kind is titled in a Slack message. */
const KIND_TITLES: Record<NotificationKind, string> = {
  drift_detected: 'Drift detected',
  retrain_started: 'Retrain started',
  gate_opened: 'Approval requested',
  gate_escalated: 'Approval escalated',
  gate_decided: 'Approval decided',
  gate_expired: 'Approval expired',
  rollout_finished: 'Rollout finished',
  rollout_rolled_back: 'Rollout rolled back',
};

/** Slack's limit on a section's text; details beyond it are cut with a note. */
const SLACK_SECTION_LIMIT = 3000;

/** A Slack Block Kit block, as far as this module writes them. */
export interface SlackBlock {
  type: 'section' | 'context';
  text?: { type: 'mrkdwn'; text: string };
  fields?: { type: 'mrkdwn'; text: string }[];
  elements?: { type: 'mrkdwn'; text: string }[];
}

/** A Slack-compatible message. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** The request body for `event` in `format`, as the exact string that is sent and signed. */
export function notificationBody(event: NotificationEvent, format: NotificationFormat): string {
  return JSON.stringify(format === 'slack' ? slackMessage(event) : event);
}

/** The Slack-compatible message for `event`: the summary as `text`, and blocks with the fields and details. */
export function slackMessage(event: NotificationEvent): SlackMessage {
  const title = KIND_TITLES[event.kind];
  const fields = [
    ['Model', event.model],
    ...(event.version === undefined ? [] : [['Version', String(event.version)]]),
    ['Event', event.kind],
    ['At', event.at],
    ...(event.runId === undefined ? [] : [['Run', event.runId]]),
  ].map(([name, value]) => ({ type: 'mrkdwn' as const, text: `*${name}*\n${escapeSlack(value ?? '')}` }));
  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${title}*: ${escapeSlack(event.summary)}` } },
    { type: 'section', fields },
  ];
  if (Object.keys(event.details).length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: detailsBlock(event.details) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Slipway delivery ${escapeSlack(event.id)}` }] });
  return { text: `${title}: ${event.summary}`, blocks };
}

function detailsBlock(details: NotificationEvent['details']): string {
  const json = escapeSlack(JSON.stringify(details, null, 2));
  const room = SLACK_SECTION_LIMIT - 40;
  const shown = json.length > room ? `${json.slice(0, room)}\n… (cut)` : json;
  return '```' + shown + '```';
}

/** Escapes the three characters Slack's mrkdwn gives meaning to (`&`, `<`, `>`). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
