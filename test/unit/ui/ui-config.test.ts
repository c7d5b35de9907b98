/** The `ui` setting: defaults, a key file made absolute, and bad proxy addresses or origins refused by field. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../packages/worker/src/config/index.js';

const load = (ui: unknown) => loadConfig({ env: {}, cwd: '/srv/slipway', overrides: { ui } as never });

describe('the ui setting', () => {
  it('has defaults, and resolves the service key file against the working directory', () => {
    expect(load({}).ui).toEqual({ port: 8790, trustedProxies: [], sessionMinutes: 480 });
    expect(load({ service: { name: 'approvals-page', keyFile: 'keys/page.key' }, trustedProxies: ['::1'] }).ui).toEqual(
      {
        port: 8790,
        service: { name: 'approvals-page', keyFile: '/srv/slipway/keys/page.key' },
        trustedProxies: ['::1'],
        sessionMinutes: 480,
      },
    );
  });

  it('refuses a proxy that is not an IP address, an origin with a path, and unknown fields, naming them', () => {
    expect(() => load({ trustedProxies: ['proxy.internal'] })).toThrow(
      /ui\.trustedProxies\.0.*expected an IP address such as 127\.0\.0\.1 or ::1/,
    );
    expect(() => load({ publicOrigin: 'https://approvals.example.com/app' })).toThrow(
      /ui\.publicOrigin.*expected an origin: scheme, host and port only/,
    );
    expect(() => load({ prot: 1 })).toThrow(/ui.*prot/);
  });
});
