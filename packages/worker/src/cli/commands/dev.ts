import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { startDevServer } from '../../dev-server/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { untilStopSignal } from '../stop-signal.js';

/** `slipway dev`: the embedded Temporal dev server in the foreground, with the Web UI, until Ctrl-C. */
export function registerDevCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('dev')
    .description('run a local Temporal dev server (state in .slipway/temporal.db) with its Web UI, until Ctrl-C')
    .option('--port <port>', 'gRPC port', (v) => Number.parseInt(v, 10), 7233)
    .option('--ui-port <port>', 'Web UI port (default: port + 1000)', (v) => Number.parseInt(v, 10))
    .option('--headless', 'no Web UI')
    .option('--db <file>', 'SQLite file for the server state (default: <home>/temporal.db)')
    .action(async (options) => {
      const config = commandConfig(globals());
      const server = await startDevServer({
        home: config.home,
        port: options.port,
        ui: !options.headless,
        ...(options.uiPort ? { uiPort: options.uiPort } : {}),
        ...(options.db ? { dbFile: options.db } : {}),
        onProgress: (message) => console.log(pc.dim(message)),
      });
      console.log(`${pc.green('●')} Temporal dev server on ${pc.bold(server.address)} (namespace ${server.namespace})`);
      if (server.uiUrl) console.log(`  Web UI   ${pc.bold(server.uiUrl)}`);
      console.log(`  state    ${server.dbFile ?? 'in memory'}`);
      console.log('  next     slipway worker   (in another terminal); Ctrl-C here to stop');
      await untilStopSignal();
      await server.stop();
      console.log('dev server stopped');
    });
}
