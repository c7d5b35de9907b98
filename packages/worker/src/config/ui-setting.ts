/**
 * The approvals page (`slipway ui`): `ui` in `slipway.config.json`.
 *
 * ```json
 * "ui": {
 *   "port": 8790,
 *   "service": { "name": "approvals-page", "keyFile": "/etc/slipway/approvals-page.key" },
 *   "trustedProxies": ["127.0.0.1"],
 *   "sessionMinutes": 480,
 *   "publicOrigin": "https://approvals.example.com"
 * }
 * ```
 *
 * `service` is the key the page signs decisions with (a key file as `slipway keys create` writes it); the directory of
 * people must list the service under `services` with its public key and whom it signs for. `trustedProxies` are the
 * TCP peers whose identity header (`X-Forwarded-User`, the oauth2-proxy convention) the page accepts; from any other
 * peer the header is refused.
 */
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { DirectoryName } from '@slipway/sdk';
import { z } from 'zod';

/** The default port of the approvals page. */
export const DEFAULT_UI_PORT = 8790;
/** How long a sign-in lasts by default (minutes). */
export const DEFAULT_UI_SESSION_MINUTES = 8 * 60;

/** `ui` as a config file writes it. */
export const UiSettingInput = z
  .object({
    /** The port the page listens on, on 127.0.0.1 (default 8790; 0 picks a free one). */
    port: z.number().int().min(0).max(65535),
    /** The service key the page signs decisions with, and its name in the directory's `services`. */
    service: z.object({ name: DirectoryName, keyFile: z.string().min(1) }).strict(),
    /** Addresses of the reverse proxies whose identity header is trusted (IPv4 or IPv6, exact). */
    trustedProxies: z.array(
      z.string().refine((address) => isIP(address) !== 0, 'expected an IP address such as 127.0.0.1 or ::1'),
    ),
    /** How long a sign-in lasts, in minutes (default 480). */
    sessionMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    /**
     * The page's origin as browsers see it behind a reverse proxy (e.g. `https://approvals.example.com`): forms are
     * accepted from it besides `http://127.0.0.1:<port>` and `http://localhost:<port>`.
     */
    publicOrigin: z
      .url()
      .refine((url) => new URL(url).origin === url, 'expected an origin: scheme, host and port only'),
  })
  .partial()
  .strict();
/** `ui` as a config file writes it. */
export type UiSettingInput = z.infer<typeof UiSettingInput>;

/** The approvals page's resolved settings. */
export interface UiSetting {
  port: number;
  /** The service the page signs decisions as; absent when not configured (the page then cannot decide). */
  service?: { name: string; keyFile: string };
  trustedProxies: string[];
  sessionMinutes: number;
  publicOrigin?: string;
}

/** Resolves `ui`: defaults applied, the key file made absolute against `cwd`. */
export function resolveUiSetting(input: UiSettingInput | undefined, cwd: string): UiSetting {
  const service = input?.service;
  return {
    port: input?.port ?? DEFAULT_UI_PORT,
    ...(service
      ? {
          service: {
            name: service.name,
            keyFile: isAbsolute(service.keyFile) ? service.keyFile : resolve(cwd, service.keyFile),
          },
        }
      : {}),
    trustedProxies: [...new Set(input?.trustedProxies ?? [])],
    sessionMinutes: input?.sessionMinutes ?? DEFAULT_UI_SESSION_MINUTES,
    ...(input?.publicOrigin ? { publicOrigin: input.publicOrigin } : {}),
  };
}
