import type { Command } from '@commander-js/extra-typings';
import { builtinPredictors } from '@slipway/activities';
import { openConfiguredArtifacts, resolveModelServerToken } from '../../config/index.js';
import pc from 'picocolors';
import { isLoopbackHost, startModelServer } from '../../serve/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { untilStopSignal } from '../stop-signal.js';

/** `slipway serve`: the local model server, in the foreground, until Ctrl-C. */
export function registerServeCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description(
      'run the model server on 127.0.0.1 (deploy targets it; it logs served features for monitor); --host for others',
    )
    .option('--port <port>', 'port (default: modelServer.port in the config, else 8765; 0 = any free port)', (v) =>
      Number.parseInt(v, 10),
    )
    .option(
      '--host <address>',
      'address to bind (default 127.0.0.1); any non-loopback address (e.g. 0.0.0.0 in a container) makes every route need the token',
    )
    .action(async (options) => {
      const config = commandConfig(globals());
      const token = await resolveModelServerToken(config);
      const host = options.host ?? '127.0.0.1';
      const running = await startModelServer({
        home: config.home,
        artifacts: openConfiguredArtifacts(config),
        predictors: builtinPredictors,
        token,
        port: options.port ?? config.modelServer.port,
        host,
        ...(config.modelServer.servedLogMaxBytes
          ? { servedLog: { maxFileBytes: config.modelServer.servedLogMaxBytes } }
          : {}),
      });
      console.log(
        `${pc.green('●')} model server listening on ${pc.bold(running.url)} (state in ${config.home}/serving); Ctrl-C to stop`,
      );
      console.log(
        isLoopbackHost(host)
          ? `  deploy, commit, rollback and served rows need its token: ${token.source}`
          : `  bound to ${host}, not a loopback address: every route needs its token (${token.source})`,
      );
      await untilStopSignal();
      await running.close();
      console.log('model server stopped');
    });
}
