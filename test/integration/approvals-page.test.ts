/**
 * The approvals page in a real headless Chromium (playwright-core driving the system's chromium), against the
 * suite's dev server and one real run waiting at its gate: a person outside the policy signs in and sees no
 * buttons (and her forged POST is refused); maria signs in, sees the pending gate with its evidence and chart,
 * and approves; the run deploys and the audit trail records her decision, signed by the page's service. A
 * cross-site POST, a POST without the CSRF token and the proxy header from an address that is not a trusted proxy
 * are refused while the gate stays pending. A screenshot of the gate page is stored under test-results/.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultAuditLogPath, readAuditEntries } from '@slipway/activities';
import { generateKeyPair, signDirectory, type PeopleDirectory, type TrainAndPromoteResult } from '@slipway/sdk';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { hashPassword, startApprovalsPage, type ApprovalsPage } from '../../packages/worker/src/ui/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { TEST_ADMIN } from '../support/people.js';
import { eventually, waitForGate } from '../support/waits.js';

const CHROMIUM = '/usr/bin/chromium';
const SERVICE = 'approvals-page';
const PASSWORDS = { maria: 'maria-approves-churn', mallory: 'mallory-is-an-intern' } as const;
const RESULTS = resolve(import.meta.dirname, '..', '..', 'test-results');

let h: Harness;
let page: ApprovalsPage;
let proxied: ApprovalsPage;
let browser: Browser;
let runId: string;

beforeAll(async () => {
  await ensureChromium();
  h = await startHarness({ name: 'approvals-page' });
  const serviceKeyFile = await trustThePage(h);
  ({ runId } = await h.client.start(
    'trainAndPromote',
    churnInput({ serverUrl: h.modelServer.url, modelName: 'page-churn', approvers: ['maria'] }),
  ));
  const ui = { port: 0, service: { name: SERVICE, keyFile: serviceKeyFile }, sessionMinutes: 30 };
  page = await startApprovalsPage({
    config: { ...h.config, ui: { ...ui, trustedProxies: ['10.1.2.3'] } },
    client: h.client,
  });
  proxied = await startApprovalsPage({
    config: { ...h.config, ui: { ...ui, trustedProxies: ['127.0.0.1'] } },
    client: h.client,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  await waitForGate(h.client, runId);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await page?.close();
  await proxied?.close();
  await h?.stop();
});

/**
 * Installs Debian's chromium with the project's script when it is missing (as the S3 server and MLflow install
 * themselves on first use); the script says what to run when it cannot (not root).
 */
async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const script = resolve(import.meta.dirname, '..', '..', 'scripts', 'install-chromium.sh');
  const installed = await new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code, output }));
  });
  if (installed.code !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing and ${script} could not install it:\n${installed.output}`);
  }
}

/**
 * Gives maria and mallory passwords, lists the page's service (its key made here) as signing for ml-leads and
 * interns, and has the administrator sign the directory again, as `slipway directory password`, `slipway keys
 * create --service` and `slipway directory sign` would.
 */
async function trustThePage(harness: Harness): Promise<string> {
  const people = harness.people!;
  const key = { name: SERVICE, ...generateKeyPair() };
  const keyFile = join(harness.home, `${SERVICE}.key`);
  await writeFile(keyFile, JSON.stringify(key), { mode: 0o600 });
  const { signature: _old, ...unsigned } = people.directory;
  const changed: PeopleDirectory = {
    ...unsigned,
    people: {
      ...unsigned.people,
      maria: { ...unsigned.people.maria!, passwordHash: await hashPassword(PASSWORDS.maria) },
      mallory: { ...unsigned.people.mallory!, passwordHash: await hashPassword(PASSWORDS.mallory) },
    },
    services: { [SERVICE]: { publicKey: key.publicKey, signsFor: { people: [], groups: ['ml-leads', 'interns'] } } },
  };
  const signed = { ...changed, signature: signDirectory(changed, people.keys[TEST_ADMIN]!.privateKey) };
  await writeFile(people.directoryPath, JSON.stringify(signed, null, 2));
  return keyFile;
}

async function signIn(context: BrowserContext, name: keyof typeof PASSWORDS): Promise<Page> {
  const tab = await context.newPage();
  tab.setDefaultTimeout(15_000);
  await tab.goto(page.url);
  expect(new URL(tab.url()).pathname).toBe('/sign-in');
  await tab.fill('#name', name);
  await tab.fill('#password', PASSWORDS[name]);
  await tab.click('button[type=submit]');
  await tab.waitForURL(`${page.url}/`);
  expect(await tab.textContent('header')).toContain(`Signed in as ${name}`);
  return tab;
}

/** A POST to the page with the browser's session cookie, as a forged request would send it. */
async function post(context: BrowserContext, path: string, form: Record<string, string>, origin?: string) {
  const cookie = (await context.cookies(page.url)).map((c) => `${c.name}=${c.value}`).join('; ');
  const res = await fetch(`${page.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie,
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, text: await res.text() };
}

async function expectStillPending(): Promise<void> {
  const gate = await h.client.gate(runId);
  expect(gate).toMatchObject({ status: 'pending', decisions: [] });
}

describe('the approvals page', () => {
  it('a wrong password is refused, and a person outside the policy sees no buttons and cannot post', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${page.url}/sign-in`);
    await tab.fill('#name', 'maria');
    await tab.fill('#password', 'not her password');
    await tab.click('button[type=submit]');
    expect(await tab.textContent('.error')).toContain('the name or the password is wrong');

    const mallory = await signIn(context, 'mallory');
    await mallory.click(`a[href="/gates/${runId}"]`);
    await mallory.waitForSelector('h1');
    expect(await mallory.locator('button.approve').count()).toBe(0);
    expect(await mallory.locator('button.reject').count()).toBe(0);
    expect(await mallory.textContent('.cannot-decide')).toContain(
      'mallory is not allowed to approve this promotion (allowed: maria)',
    );
    const [cookie] = await context.cookies(page.url);
    expect(cookie).toMatchObject({ name: 'slipway_session', httpOnly: true, sameSite: 'Strict' });
    const forged = await forgedDecision(context, { origin: page.url, withToken: true, from: mallory });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('refused: mallory is not allowed to approve this promotion');
    await expectStillPending();
    await context.close();
  });

  it('maria sees the gate with its evidence; cross-site and token-less posts are refused; she approves', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 1500 } });
    const maria = await signIn(context, 'maria');
    expect(await maria.textContent('table.pending')).toContain('page-churn v1');
    await maria.click(`a[href="/gates/${runId}"]`);
    await maria.waitForSelector('svg.chart');
    const metrics = await maria.textContent('table.metrics');
    expect(metrics).toContain('auc');
    expect(await maria.locator('svg.chart rect').count()).toBeGreaterThan(2);
    const body = await maria.textContent('main');
    const gate = await h.client.gate(runId);
    expect(body).toContain(gate.evidence.validationReportDigest);
    expect(body).toContain(gate.deadline);
    expect(body).toContain('Model card: page-churn v1');
    await mkdir(RESULTS, { recursive: true });
    await maria.screenshot({ path: join(RESULTS, 'approvals-page.png'), fullPage: true });
    // The part people look at first (the decision, the metrics and their chart), as the README shows it.
    const top = await maria.locator('section').nth(1).boundingBox();
    await maria.screenshot({
      path: join(RESULTS, 'approvals-page-top.png'),
      clip: { x: 0, y: 0, width: 1100, height: (top?.y ?? 0) + (top?.height ?? 900) + 16 },
    });

    const crossSite = await forgedDecision(context, { origin: 'https://evil.example', withToken: true, from: maria });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('refused: the request comes from https://evil.example');
    const noToken = await forgedDecision(context, { origin: page.url, withToken: false, from: maria });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('CSRF token is missing');
    await expectStillPending();

    await maria.fill('#comment', 'AUC holds up; ship it');
    await maria.click('button.approve');
    await maria.waitForURL(/decided=approve/);
    expect(await maria.textContent('.notice')).toContain('Your approval was accepted by the gate.');
    expect(await maria.locator('button.approve').count()).toBe(0);

    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', decisions: [{ approver: 'maria', signedBy: SERVICE }] });
    const audit = await eventually('the approval in the audit trail', async () =>
      (await readAuditEntries(defaultAuditLogPath(h.home))).find(
        (e) => e.kind === 'approval' && (e.data as { workflowId?: string }).workflowId === runId,
      ),
    );
    expect(audit).toMatchObject({
      model: 'page-churn',
      actor: 'maria',
      data: {
        outcome: 'approved',
        decisions: [{ approver: 'maria', signedBy: SERVICE, comment: 'AUC holds up; ship it' }],
      },
    });
    await maria.goto(page.url);
    expect(await maria.textContent('table.history')).toContain(`maria (approve, signed by ${SERVICE})`);
    await context.close();
  });

  it('refuses to start with a service the directory does not list, or with another key than the listed one', async () => {
    const keyFile = join(h.home, `${SERVICE}.key`);
    const start = (service: { name: string; keyFile: string }) =>
      startApprovalsPage({
        config: { ...h.config, ui: { port: 0, service, sessionMinutes: 30, trustedProxies: [] } },
        client: h.client,
      });
    await expect(start({ name: 'other-page', keyFile })).rejects.toThrow(
      /lists no service "other-page" \(ui\.service\.name\)/,
    );
    const otherKey = join(h.home, 'other.key');
    await writeFile(otherKey, JSON.stringify({ name: SERVICE, ...generateKeyPair() }), { mode: 0o600 });
    await expect(start({ name: SERVICE, keyFile: otherKey })).rejects.toThrow(
      `ui.service.keyFile (${otherKey}) holds ed25519:`,
    );
  });

  it('the proxy header is refused from an address that is not a trusted proxy, and honoured from one', async () => {
    const refused = await fetch(page.url, { headers: { 'x-forwarded-user': 'maria' } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('accepted only from a trusted proxy');
    const trusted = await fetch(proxied.url, { headers: { 'x-forwarded-user': 'maria' } });
    expect(trusted.status).toBe(200);
    expect(await trusted.text()).toContain('Signed in as <strong>maria</strong>');
    const stranger = await fetch(proxied.url, { headers: { 'x-auth-request-user': 'nobody' } });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('nobody, who is not in the directory of people');
  });
});

/** Posts an approval as the signed-in tab's person, with or without its CSRF token, from `origin`. */
async function forgedDecision(
  context: BrowserContext,
  options: { origin: string; withToken: boolean; from: Page },
): Promise<{ status: number; text: string }> {
  const token = options.withToken ? await options.from.locator('input[name=csrf]').first().inputValue() : '';
  const gate = await h.client.gate(runId);
  return post(
    context,
    `/gates/${runId}/decide`,
    {
      ...(options.withToken ? { csrf: token } : {}),
      decision: 'approve',
      evidence: gate.evidence.digest,
    },
    options.origin,
  );
}
