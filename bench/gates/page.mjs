// The approvals page (`slipway ui`) as bench/gates measures it: an approver given a password the way an
// administrator gives one (`slipway directory password`, then `slipway directory sign`), the page in its own
// process on 127.0.0.1, a local sign-in, and the front page's pending list fetched over HTTP with the session.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startProcess, runTimed } from './processes.mjs';

/** Whether this build of the CLI has the approvals page. */
export function hasPage(cli) {
  return existsSync(new URL('../dist/cli/commands/ui.js', `file://${cli}`));
}

/** Sets `person`'s password in the directory and has the administrator sign it again; resolves to the password. */
export async function givePassword(cli, { env, cwd, directoryPath, person, admin }) {
  const password = randomBytes(12).toString('base64url');
  const args = [cli, 'directory', 'password', person, '--file', directoryPath, '--password-stdin'];
  await runTimed('slipway directory password', process.execPath, args, { cwd, env, input: `${password}\n` });
  const sign = [cli, 'directory', 'sign', directoryPath, '--as', admin];
  await runTimed('slipway directory sign', process.execPath, sign, { cwd, env });
  return password;
}

/** `slipway ui --port 0` in its own process; resolves once it listens, with its URL. */
export async function startPage(cli, { env, cwd }) {
  const page = await startProcess('the approvals page', process.execPath, [cli, 'ui', '--port', '0'], {
    cwd,
    env,
    ready: /approvals page at (http:\/\/127\.0\.0\.1:\d+)/,
  });
  const url = /approvals page at (http:\/\/127\.0\.0\.1:\d+)/.exec(page.output())?.[1];
  if (url === undefined) throw new Error(`the approvals page did not say where it listens:\n${page.tail()}`);
  return { ...page, url };
}

/** Signs in with the page's form, as a browser does (same Origin); resolves to the session cookie. */
export async function signIn(url, person, password) {
  const response = await fetch(`${url}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: person, password }).toString(),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (response.status !== 303 && response.status !== 302) {
    throw new Error(
      `signing in to the page as ${person} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
  }
  if (!cookie) throw new Error(`signing in to the page as ${person} set no session cookie`);
  return cookie;
}

/** The page's front page, signed in: timed from the request to the whole HTML; its pending table's run ids. */
export function pageListing(url, cookie) {
  return {
    name: 'page',
    label: 'the approvals page (GET / signed in)',
    async run() {
      const started = performance.now();
      const response = await fetch(`${url}/`, { headers: { cookie }, redirect: 'manual' });
      const text = await response.text();
      const seconds = (performance.now() - started) / 1000;
      if (response.status !== 200) throw new Error(`GET ${url}/ answered ${response.status}: ${text.slice(0, 300)}`);
      return { seconds, runIds: pendingRunIds(text) };
    },
  };
}

/** The run ids the pending table links to (`/gates/<runId>`). */
function pendingRunIds(text) {
  const table = /<table class="pending">([\s\S]*?)<\/table>/.exec(text)?.[1] ?? '';
  return [...table.matchAll(/href="\/gates\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]));
}
