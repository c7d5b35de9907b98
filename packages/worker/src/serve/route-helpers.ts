/**
 * What every model server route reads from a request: the model name, the deployment id and window id path
 * segments, and the JSON body, each checked with its schema; a bad one is a 400 naming what was wrong.
 */
import { WindowId, describeIssues } from '@slipway/sdk';
import type { Context } from 'hono';
import type { z } from 'zod';
import { DeploymentIdParam, ServeError, ServeErrorCode, ServedModelName } from './protocol.js';

/** The model name of the path. */
export function modelParam(c: Context): string {
  return parseOrThrow(ServedModelName, c.req.param('name'), 'model name');
}

/** The deployment id of the path. */
export function deploymentParam(c: Context): string {
  return parseOrThrow(DeploymentIdParam, c.req.param('id'), 'deployment id');
}

/** The measurement window id of the path. */
export function windowParam(c: Context): string {
  return parseOrThrow(WindowId, c.req.param('windowId'), 'window id');
}

/** The JSON body, checked with `schema`. */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (err) {
    throw new ServeError(
      400,
      ServeErrorCode.InvalidRequest,
      `Request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  return parseOrThrow(schema, body, 'body');
}

/** `value` checked with `schema`; a 400 `Invalid <what>: <issues>` otherwise. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ServeError(400, ServeErrorCode.InvalidRequest, `Invalid ${what}: ${describeIssues(parsed.error)}`);
}
