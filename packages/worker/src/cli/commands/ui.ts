import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { startApprovalsPage } from '../../ui/index.js';
import { commandClient, commandConfig, type GlobalOptions } from '../context.js';
import { untilStopSignal } from '../stop-signal.js';

/** `slipway ui [--port N]`: the approvals page on 127.0.0.1. */
export function registerUiCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ui')
    .description(
      'serve the approvals page on 127.0.0.1: pending gates with their evidence, approve and reject signed by the ' +
        "page's service key (ui.service) for the person signed in (local password or a trusted proxy's header)",
    )
    .option('--port <n>', 'the port (default: ui.port, else 8790; 0 picks a free one)', parsePort)
    .action(async (options) => {
      const config = commandConfig(globals());
      const client = await commandClient(config, config.ui.service?.name ?? 'approvals-page');
      try {
        const page = await startApprovalsPage({
          config,
          client,
          ...(options.port !== undefined ? { port: options.port } : {}),
        });
        for (const warning of page.warnings) console.log(pc.yellow(warning));
        console.log(`${pc.green('✔')} approvals page at ${page.url} (Ctrl-C to stop)`);
        await untilStopSignal();
        await page.close();
      } finally {
        await client.close();
      }
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${value}: expected 0 to 65535`);
  return port;
}
