/**
 * The approvals page's routes: the list, one gate, its drift report, deciding, signing in and out, the stylesheet.
 * Every page but the sign-in form and the stylesheet needs a session; every POST but the sign-in needs the
 * session's CSRF token, and every POST the page's own Origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlipwayClientError } from '@slipway/sdk/client';
import { clearedCookie, cookieFor, requestSession, signIn, SIGN_IN_FAILED } from './authenticate.js';
import { CONTENT_SECURITY_POLICY, HttpError, readForm, redirect, send } from './http.js';
import { layout, STYLESHEET } from './html.js';
import { mayDecide } from './may-decide.js';
import { stateChangeRefusal } from './request-checks.js';
import type { Session } from './sessions.js';
import type { UiContext } from './ui-context.js';
import { gatePage } from './views/gate-page.js';
import { listPage } from './views/list-page.js';
import { messagePage, signInPage } from './views/sign-in-page.js';

/** How many decided gates the front page lists. */
const HISTORY_LIMIT = 50;
/** How many pending gates the front page lists. */
const PENDING_LIMIT = 1000;

/** Handles one request. */
export async function handle(ctx: UiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://page.invalid');
  const method = req.method ?? 'GET';
  if (method === 'GET' && url.pathname === '/style.css') {
    return send(res, 200, STYLESHEET, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'max-age=300' });
  }
  const session = await requestSession(ctx, req, res);
  if (url.pathname === '/sign-in') return method === 'POST' ? postSignIn(ctx, req, res) : getSignIn(res, session);
  if (session === undefined) {
    if (method === 'POST') throw new HttpError(403, 'refused: you are not signed in (or your session expired)');
    return redirect(res, '/sign-in');
  }
  if (method === 'POST') await checkStateChange(ctx, req, session, url);
  const gateRoute = /^\/gates\/([^/]+)(\/drift|\/decide)?$/.exec(url.pathname);
  if (method === 'GET' && url.pathname === '/') return showList(ctx, res, session);
  if (method === 'POST' && url.pathname === '/sign-out') {
    ctx.sessions.destroy(session.id);
    return redirect(res, '/sign-in', { 'Set-Cookie': clearedCookie() });
  }
  if (gateRoute) {
    const runId = decodeURIComponent(gateRoute[1] ?? '');
    if (method === 'GET' && gateRoute[2] === undefined) return showGate(ctx, res, session, runId, noticeOf(url));
    if (method === 'GET' && gateRoute[2] === '/drift') return showDrift(ctx, res, runId);
    if (method === 'POST' && gateRoute[2] === '/decide') return decide(ctx, req, res, session, runId);
  }
  throw new HttpError(404, `nothing at ${method} ${url.pathname}`);
}

/** The form fields a POST carries are read once, here, and kept for the handler. */
const forms = new WeakMap<IncomingMessage, URLSearchParams>();

async function checkStateChange(ctx: UiContext, req: IncomingMessage, session: Session, url: URL): Promise<void> {
  const form = await readForm(req);
  forms.set(req, form);
  const refusal = stateChangeRefusal(
    { origin: req.headers.origin, csrfToken: form.get('csrf') ?? undefined },
    session,
    ctx.origins,
  );
  if (refusal) throw new HttpError(403, `${refusal} (${url.pathname})`);
}

function getSignIn(res: ServerResponse, session: Session | undefined): void {
  if (session) return redirect(res, '/');
  send(res, 200, layout('Sign in', signInPage()));
}

async function postSignIn(ctx: UiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = req.headers.origin;
  if (origin === undefined || !ctx.origins.includes(origin)) {
    throw new HttpError(
      403,
      `refused: a sign-in must come from this page (${ctx.origins.join(' or ')}), not ${origin ?? 'a request without an Origin'}`,
    );
  }
  const form = await readForm(req);
  const session = await signIn(ctx, form.get('name')?.trim() ?? '', form.get('password') ?? '');
  if (session === undefined) return send(res, 401, layout('Sign in', signInPage(SIGN_IN_FAILED)));
  redirect(res, '/', { 'Set-Cookie': cookieFor(ctx, session) });
}

async function showList(ctx: UiContext, res: ServerResponse, session: Session): Promise<void> {
  const [pending, closed, audit] = await Promise.all([
    ctx.access.listGates('pending', PENDING_LIMIT),
    ctx.access.listGates('closed', HISTORY_LIMIT),
    ctx.audit(),
  ]);
  send(res, 200, layout('Approvals', listPage(pending, closed, audit, PENDING_LIMIT), session));
}

async function showGate(
  ctx: UiContext,
  res: ServerResponse,
  session: Session,
  runId: string,
  notice?: { kind: 'ok' | 'error'; text: string },
  status = 200,
): Promise<void> {
  const gate = await ctx.access.gate(runId).catch((err: unknown) => {
    throw new HttpError(404, err instanceof Error ? err.message : String(err));
  });
  const [progress, modelCard, { directory }] = await Promise.all([
    ctx.access.progress(runId),
    ctx.modelCard(gate.model, gate.version).catch(() => undefined),
    ctx.directory(),
  ]);
  const ability = mayDecide(gate, session.person, directory, ctx.service);
  const body = gatePage({
    runId,
    gate,
    progress,
    modelCard,
    ability,
    csrfToken: session.csrfToken,
    ...(notice ? { notice } : {}),
  });
  send(res, status, layout(`${gate.model} v${gate.version}`, body, session));
}

function noticeOf(url: URL): { kind: 'ok'; text: string } | undefined {
  const decided = url.searchParams.get('decided');
  if (decided === 'approve') return { kind: 'ok', text: 'Your approval was accepted by the gate.' };
  if (decided === 'reject') return { kind: 'ok', text: 'Your rejection was accepted by the gate.' };
  return undefined;
}

/** The drift report's page from the artifact store: only the one the gate's evidence names, with the CSP kept. */
async function showDrift(ctx: UiContext, res: ServerResponse, runId: string): Promise<void> {
  const gate = await ctx.access.gate(runId);
  const page = gate.evidence.retrain?.driftPage;
  if (page === undefined) throw new HttpError(404, `the gate of ${runId} has no drift report (not a retrain)`);
  const bytes = await ctx.artifacts.getBytes(page);
  send(res, 200, bytes, { 'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; sandbox` });
}

async function decide(
  ctx: UiContext,
  req: IncomingMessage,
  res: ServerResponse,
  session: Session,
  runId: string,
): Promise<void> {
  const form = forms.get(req) ?? new URLSearchParams();
  const kind = form.get('decision');
  if (kind !== 'approve' && kind !== 'reject') {
    throw new HttpError(400, `the form's decision must be approve or reject, not ${JSON.stringify(kind)}`);
  }
  const gate = await ctx.access.gate(runId);
  const { directory } = await ctx.directory();
  const ability = mayDecide(gate, session.person, directory, ctx.service);
  if (!ability.may) throw new HttpError(403, `refused: ${ability.reason}`);
  const comment = form.get('comment')?.trim();
  try {
    await ctx.access.decide(runId, kind, {
      approver: session.person,
      evidenceDigest: form.get('evidence') ?? '',
      ...(comment ? { comment } : {}),
    });
  } catch (err) {
    if (!(err instanceof SlipwayClientError)) throw err;
    const text = `The gate refused your ${kind === 'approve' ? 'approval' : 'rejection'}: ${err.message}`;
    return showGate(ctx, res, session, runId, { kind: 'error', text }, 409);
  }
  redirect(res, `/gates/${encodeURIComponent(runId)}?decided=${kind}`);
}

/** Sends an error as a page: an `HttpError` with its status and message, anything else as a 500. */
export function sendError(res: ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : 500;
  const message = err instanceof Error ? err.message : String(err);
  const title = status === 403 ? 'Refused' : status === 404 ? 'Not found' : 'Something went wrong';
  if (res.headersSent) return void res.end();
  send(res, status, layout(title, messagePage(title, message)));
}
