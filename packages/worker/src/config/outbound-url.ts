/**
 * The one check for URLs the worker sends a secret to (a deploy target's token, a notifier's signing secret): http(s)
 * only, plain http to a loopback address only, no credentials in the URL (the secret comes from a file), and
 * optionally no query or fragment.
 */
import type { z } from 'zod';

/** Host names plain http may go to. */
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** What the secret sent to the URL is, and where it comes from, for the messages. */
export interface OutboundUrlRules {
  /** e.g. `the token` or `a notification`. */
  sent: string;
  /** e.g. `the token comes from tokenFile`. */
  secretFrom: string;
  /** Refuse a query or fragment too. */
  noQuery?: boolean;
}

/** Why `url` may not receive a secret under `rules`, or undefined when it may (an unparsable URL is z.url()'s). */
export function outboundUrlProblem(url: string, rules: OutboundUrlRules): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `must be an http(s) URL, not ${parsed.protocol}`;
  if (parsed.protocol === 'http:' && !LOOPBACK_HOSTNAMES.has(parsed.hostname))
    return `must be https: ${rules.sent} may go over plain http to a loopback address only`;
  if (parsed.username !== '' || parsed.password !== '') return `must not hold credentials (${rules.secretFrom})`;
  if (rules.noQuery && (parsed.search !== '' || parsed.hash !== '')) return 'must not have a query or fragment';
  return undefined;
}

/** A zod refinement adding {@link outboundUrlProblem}'s message as an issue. */
export function checkOutboundUrl(rules: OutboundUrlRules): (url: string, ctx: z.RefinementCtx) => void {
  return (url, ctx) => {
    const problem = outboundUrlProblem(url, rules);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  };
}
