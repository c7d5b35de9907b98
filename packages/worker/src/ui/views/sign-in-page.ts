/** The local sign-in form and the page's error pages. */
import { html, type Html } from '../html.js';

/** The sign-in form, with an error when the last attempt failed. */
export function signInPage(error?: string): Html {
  return html`<h1>Sign in</h1>
    ${error ? html`<div class="error" role="alert">${error}</div>` : ''}
    <form method="post" action="/sign-in" class="sign-in">
      <label for="name">Name (as the directory of people names you)</label>
      <input id="name" name="name" autocomplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <button type="submit">Sign in</button>
    </form>`;
}

/** A refusal or failure, said plainly. */
export function messagePage(title: string, message: string): Html {
  return html`<h1>${title}</h1>
    <div class="error" role="alert">${message}</div>
    <p><a href="/">Back to the approvals</a></p>`;
}
