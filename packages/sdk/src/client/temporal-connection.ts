/**
 * How Slipway reaches a Temporal cluster: one place that turns the connection settings — an address, TLS files
 * (client certificate and key for mutual TLS, a CA, a server name override) and an API key (inline or from a file) —
 * into the options Temporal's `Connection.connect` (client, CLI) and `NativeConnection.connect` (worker) take. The
 * files are read when a connection opens; a missing, unreadable or malformed file fails with its path and the
 * setting that named it, never with its content.
 */
import { readFile } from 'node:fs/promises';
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import { readSecretFile } from '../keys/secret-file.js';

/**
 * TLS files (paths): `cert` and `key` together for mutual TLS, `ca` when the server's certificate is not signed by a
 * CA the system trusts, `serverName` to check the server's certificate against another name than the address's host.
 */
export const TemporalTlsFiles = z
  .object({
    /** The client certificate (PEM) presented to the server (mutual TLS); needs `key`. */
    cert: z.string().min(1),
    /** The client certificate's private key (PEM): a secret, owner-only file; needs `cert`. */
    key: z.string().min(1),
    /** The CA certificate (PEM) the server's certificate must be signed by, instead of the system's CAs. */
    ca: z.string().min(1),
    /** The name the server's certificate must carry (TLS SNI and host name check), instead of the address's host. */
    serverName: z.string().min(1),
  })
  .partial()
  .strict()
  .superRefine((tls, ctx) => {
    if ((tls.cert === undefined) === (tls.key === undefined)) return;
    const [set, missing] = tls.cert === undefined ? ['key', 'cert'] : ['cert', 'key'];
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: `${set} is set without ${missing}: mutual TLS needs the client certificate and its key, set both or neither`,
    });
  });
/** TLS files (paths). */
export type TemporalTlsFiles = z.infer<typeof TemporalTlsFiles>;

/** TLS: `true` (the system's CAs, no client certificate), `false` (plain text), or {@link TemporalTlsFiles}. */
export const TemporalTlsSetting = z.union([z.boolean(), TemporalTlsFiles]);
/** TLS: on, off, or with files. */
export type TemporalTlsSetting = z.infer<typeof TemporalTlsSetting>;

/** What a connection to Temporal is made from (file paths absolute, or relative to the working directory). */
export interface TemporalConnectionSettings {
  /** `host:port` of the Temporal frontend. */
  address: string;
  /** TLS; default off, on when an API key is given. */
  tls?: TemporalTlsSetting;
  /** An API key, sent as `Authorization: Bearer …` (always over TLS). */
  apiKey?: string;
  /** A file holding the API key (owner-only; surrounding whitespace is trimmed), instead of `apiKey`. */
  apiKeyFile?: string;
}

/** The options `Connection.connect` and `NativeConnection.connect` take, as {@link temporalConnectionOptions} builds them. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * How each setting is named in errors: the configuration field and the environment variable that set it (the
 * Temporal CLI's own names, so one environment serves `temporal` and `slipway`).
 */
export const TEMPORAL_SETTING_NAMES = {
  cert: 'temporal.tls.cert (TEMPORAL_TLS_CLIENT_CERT_PATH)',
  key: 'temporal.tls.key (TEMPORAL_TLS_CLIENT_KEY_PATH)',
  ca: 'temporal.tls.ca (TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
  apiKey: 'temporal.apiKey (TEMPORAL_API_KEY)',
  apiKeyFile: 'temporal.apiKeyFile (SLIPWAY_TEMPORAL_API_KEY_FILE)',
} as const;

/**
 * The connection options for `settings`: TLS files read (the key as a secret file: a regular file only this user
 * may read), the API key read from its file and trimmed.
 *
 * ```ts
 * const options = await temporalConnectionOptions({ address: 'ml.a1b2c.tmprl.cloud:7233', tls: { cert, key } });
 * const slipway = await SlipwayClient.connect({ ...options, namespace: 'ml.a1b2c' });
 * ```
 *
 * @throws Error naming the file and the setting when a file is missing, unsafe, unreadable, empty or not PEM; when
 *   `cert` comes without `key` (or the reverse); when both `apiKey` and `apiKeyFile` are set; when an API key is
 *   set with TLS off (it would travel in plain text). Never quotes a file's content.
 */
export async function temporalConnectionOptions(
  settings: TemporalConnectionSettings,
): Promise<TemporalConnectionOptions> {
  const tlsSetting = parseTls(settings.tls);
  const apiKey = await resolveApiKey(settings);
  if (apiKey !== undefined && tlsSetting === false) {
    throw new Error(
      `an API key for Temporal is sent only over TLS, and TLS is turned off (temporal.tls false, or TEMPORAL_TLS=false): turn it on, or remove the key`,
    );
  }
  const tls = typeof tlsSetting === 'object' ? await readTlsFiles(tlsSetting) : tlsSetting;
  return {
    address: settings.address,
    ...(tls === undefined ? {} : { tls }),
    ...(apiKey === undefined ? {} : { apiKey }),
  };
}

/** What the environment says about the connection, as {@link TemporalConnectionSettings} takes it (not yet checked). */
export interface TemporalEnvironment {
  address?: string;
  namespace?: string;
  tls?: boolean | Record<string, string>;
  apiKey?: string;
  apiKeyFile?: string;
}

/** The Temporal CLI's variables for the TLS files, each with the older name it also answers to. */
const TLS_VARIABLES = {
  cert: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CERT'],
  key: ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_KEY'],
  ca: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_CA'],
  serverName: ['TEMPORAL_TLS_SERVER_NAME'],
} as const;

/**
 * The connection settings the environment gives, with the Temporal CLI's variables: `TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS` (`true`/`false`), `TEMPORAL_TLS_CLIENT_CERT_PATH`,
 * `TEMPORAL_TLS_CLIENT_KEY_PATH`, `TEMPORAL_TLS_SERVER_CA_CERT_PATH` (or the older `TEMPORAL_TLS_CERT`,
 * `TEMPORAL_TLS_KEY`, `TEMPORAL_TLS_CA`), `TEMPORAL_TLS_SERVER_NAME`; and Slipway's `SLIPWAY_TEMPORAL_API_KEY_FILE`.
 * Empty variables count as unset.
 *
 * @throws Error naming the variables when `TEMPORAL_TLS` is neither true nor false, when it is false while TLS
 *   files are set, or when a variable and its older name disagree.
 */
export function temporalEnvironment(env: NodeJS.ProcessEnv): TemporalEnvironment {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const files: Record<string, string> = {};
  for (const [field, names] of Object.entries(TLS_VARIABLES)) {
    const given = [...new Set(names.flatMap((name) => value(name) ?? []))];
    if (given.length > 1) throw new Error(`${names.join(' and ')} disagree: set one of them`);
    if (given[0] !== undefined) files[field] = given[0];
  }
  const tlsFlag = tlsSwitch(value('TEMPORAL_TLS'));
  if (tlsFlag === false && Object.keys(files).length > 0) {
    throw new Error(`TEMPORAL_TLS is false while TLS files are set (${Object.keys(files).join(', ')}): drop one`);
  }
  const tls = Object.keys(files).length > 0 ? files : tlsFlag;
  const fields = {
    address: value('TEMPORAL_ADDRESS'),
    namespace: value('TEMPORAL_NAMESPACE'),
    apiKey: value('TEMPORAL_API_KEY'),
    apiKeyFile: value('SLIPWAY_TEMPORAL_API_KEY_FILE'),
    tls,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function tlsSwitch(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (/^(true|1)$/i.test(text)) return true;
  if (/^(false|0)$/i.test(text)) return false;
  throw new Error(`TEMPORAL_TLS must be true or false, not ${JSON.stringify(text)}`);
}

/**
 * The connection options of a client: the given `tls` and `apiKey` as they are, when either is given; else the
 * environment's ({@link temporalEnvironment}), files read. The address: the given one, else `TEMPORAL_ADDRESS`,
 * else `127.0.0.1:7233`.
 */
export async function clientConnectionOptions(
  given: { address?: string; tls?: TLSConfig | boolean | null; apiKey?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemporalConnectionOptions> {
  const { namespace: _namespace, ...fromEnv } = temporalEnvironment(env);
  const address = given.address ?? fromEnv.address ?? '127.0.0.1:7233';
  if ((given.tls ?? undefined) !== undefined || given.apiKey !== undefined) {
    return {
      address,
      ...(given.tls === undefined || given.tls === null ? {} : { tls: given.tls }),
      ...(given.apiKey === undefined ? {} : { apiKey: given.apiKey }),
    };
  }
  return temporalConnectionOptions({ ...fromEnv, address });
}

/**
 * How a connection authenticates, for messages: `''` (plain text), ` over TLS`, ` over mutual TLS` (a client
 * certificate), each ` with an API key` when one is sent. Never the key.
 */
export function describeTls(options: TemporalConnectionOptions): string {
  const tls = options.tls ?? (options.apiKey === undefined ? undefined : true);
  const mutual = typeof tls === 'object' && tls.clientCertPair !== undefined;
  const how = !tls ? '' : mutual ? ' over mutual TLS' : ' over TLS';
  return `${how}${options.apiKey === undefined ? '' : ' with an API key'}`;
}

function parseTls(tls: TemporalTlsSetting | undefined): TemporalTlsSetting | undefined {
  if (tls === undefined) return undefined;
  const parsed = TemporalTlsSetting.safeParse(tls);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues.at(-1);
  const where = issue && issue.path.length > 0 ? `temporal.tls.${issue.path.join('.')}: ` : 'temporal.tls: ';
  throw new Error(`invalid Temporal TLS settings: ${where}${issue?.message ?? 'invalid'}`);
}

async function resolveApiKey(settings: TemporalConnectionSettings): Promise<string | undefined> {
  if (settings.apiKeyFile === undefined) return settings.apiKey;
  if (settings.apiKey !== undefined) {
    throw new Error(`both ${TEMPORAL_SETTING_NAMES.apiKey} and ${TEMPORAL_SETTING_NAMES.apiKeyFile} are set: keep one`);
  }
  return readApiKeyFile(settings.apiKeyFile);
}

/**
 * The API key in `path`, trimmed.
 *
 * @throws Error naming the file and the setting when it is missing, unsafe (see `readSecretFile`), empty, or holds
 *   more than one line.
 */
export async function readApiKeyFile(path: string): Promise<string> {
  const named = `The Temporal API key file ${path} (${TEMPORAL_SETTING_NAMES.apiKeyFile})`;
  const text = await readSecretFile(path, {
    what: 'The Temporal API key file',
    exposure: 'anyone who reads it can act on the namespace',
  }).catch((err: unknown) => {
    throw new Error(`${errorText(err)} (${TEMPORAL_SETTING_NAMES.apiKeyFile})`, { cause: err });
  });
  if (text === undefined) throw new Error(`${named} does not exist`);
  const key = text.trim();
  if (key === '') throw new Error(`${named} is empty: write the API key into it`);
  if (/\s/.test(key)) throw new Error(`${named} holds more than one word: write only the API key into it`);
  return key;
}

async function readTlsFiles(files: TemporalTlsFiles): Promise<TLSConfig> {
  const [cert, key, ca] = await Promise.all([
    files.cert === undefined ? undefined : readPemFile(files.cert, 'cert'),
    files.key === undefined ? undefined : readKeyFile(files.key),
    files.ca === undefined ? undefined : readPemFile(files.ca, 'ca'),
  ]);
  return {
    ...(cert !== undefined && key !== undefined ? { clientCertPair: { crt: cert, key } } : {}),
    ...(ca === undefined ? {} : { serverRootCACertificate: ca }),
    ...(files.serverName === undefined ? {} : { serverNameOverride: files.serverName }),
  };
}

const PEM_WHAT = { cert: 'client certificate', ca: 'CA certificate' } as const;

/** A certificate file (not secret): it must exist and hold a PEM certificate. */
async function readPemFile(path: string, setting: 'cert' | 'ca'): Promise<Buffer> {
  const named = `the Temporal TLS ${PEM_WHAT[setting]} file ${path} (${TEMPORAL_SETTING_NAMES[setting]})`;
  const content = await readFile(path).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${named} does not exist` : `${named} cannot be read: ${errorText(err)}`);
  });
  if (!content.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`${named} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return content;
}

/** The client key file: a secret, read only when it is a regular file only this user may read. */
async function readKeyFile(path: string): Promise<Buffer> {
  const setting = TEMPORAL_SETTING_NAMES.key;
  const text = await readSecretFile(path, {
    what: 'The Temporal TLS client key file',
    exposure: 'anyone who reads it can connect as this client',
  }).catch((err: unknown) => {
    throw new Error(`${errorText(err)} (${setting})`, { cause: err });
  });
  if (text === undefined) throw new Error(`The Temporal TLS client key file ${path} (${setting}) does not exist`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new Error(`The Temporal TLS client key file ${path} (${setting}) holds no PEM private key`);
  }
  return Buffer.from(text);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
