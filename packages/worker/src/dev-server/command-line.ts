import type { ResolvedDevServerOptions } from './options.js';

/** Dynamic config the dev server always gets: Workflow Updates (the approval gate uses them). */
export const UPDATE_DYNAMIC_CONFIG: readonly string[] = [
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
];

/**
 * Arguments shared by both ways of starting the server: search attributes, the SQLite WAL pragma and
 * the caller's extra arguments.
 */
export function sharedServerArgs(options: ResolvedDevServerOptions): string[] {
  return [
    ...options.searchAttributes.flatMap(([name, kind]) => ['--search-attribute', `${name}=${kind}`]),
    '--sqlite-pragma',
    'journal_mode=WAL',
    ...options.extraArgs,
  ];
}

/** The full argument list of `temporal server start-dev` for these options. */
export function startDevArgs(options: ResolvedDevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    ...(options.dbFile === null ? [] : ['--db-filename', options.dbFile]),
    '--log-level',
    'warn',
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    ...UPDATE_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
    ...sharedServerArgs(options),
  ];
}
