/**
 * Server-side HTML for the approvals page: a tagged template that escapes every interpolated value unless it is
 * already `Html`, the page layout, and the stylesheet (served from the page itself: no external resources).
 */

/** Markup that is already safe to emit. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return (value as readonly Value[]).map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: interpolations are escaped, nested `Html` and arrays of it are kept. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return new Html(strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]) : ''), ''));
}

/** The page shell: title, stylesheet, header with who is signed in and the sign-out form. */
export function layout(title: string, body: Html, signedIn?: { person: string; csrfToken: string }): string {
  const header = signedIn
    ? html`<form method="post" action="/sign-out" class="who">
        <span>Signed in as <strong>${signedIn.person}</strong></span>
        <input type="hidden" name="csrf" value="${signedIn.csrfToken}" />
        <button type="submit" class="link">Sign out</button>
      </form>`
    : html``;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Slipway approvals</title>
        <link rel="stylesheet" href="/style.css" />
      </head>
      <body>
        <header><a href="/" class="brand">Slipway approvals</a>${header}</header>
        <main>${body}</main>
      </body>
    </html> `.text;
}

/** The stylesheet at `/style.css`. */
export const STYLESHEET = `
:root { --fg: #1d2433; --muted: #5b6478; --line: #d9dee8; --bg: #f6f7fb; --ok: #17794a; --bad: #b3261e; --accent: #2a5bd7; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; justify-content: space-between; align-items: center; padding: 10px 24px; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; color: var(--fg); text-decoration: none; }
.who { display: flex; gap: 10px; align-items: center; margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 16px; } h2 { font-size: 17px; margin: 24px 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 14px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.num { font-variant-numeric: tabular-nums; }
.better { color: var(--ok); font-weight: 600; } .worse { color: var(--bad); font-weight: 600; } .same { color: var(--muted); }
.muted { color: var(--muted); } code { font-size: 13px; word-break: break-all; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #e8ecf6; }
.badge.approved { background: #dff3e8; color: var(--ok); } .badge.rejected, .badge.expired { background: #fbe3e1; color: var(--bad); }
.notice { border-left: 4px solid var(--accent); background: #eef3ff; padding: 10px 14px; border-radius: 4px; margin: 12px 0; }
.error { border-left: 4px solid var(--bad); background: #fdecea; padding: 10px 14px; border-radius: 4px; margin: 12px 0; }
form.decide textarea { width: 100%; min-height: 70px; font: inherit; padding: 8px; }
button { font: inherit; padding: 7px 16px; border-radius: 6px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
button.approve { background: var(--ok); color: #fff; border-color: var(--ok); }
button.reject { background: var(--bad); color: #fff; border-color: var(--bad); }
button.link { border: none; background: none; color: var(--accent); padding: 0; }
.actions { display: flex; gap: 10px; margin-top: 10px; }
pre.card { white-space: pre-wrap; font-size: 13px; background: var(--bg); padding: 12px; border-radius: 6px; max-height: 420px; overflow: auto; }
svg.chart text { font: 12px system-ui, sans-serif; fill: var(--fg); }
form.sign-in { max-width: 360px; display: grid; gap: 10px; }
form.sign-in input { font: inherit; padding: 7px; }
`;
