#!/usr/bin/env node
// The Slipway side of bench/serve, in its own process (as a deployed model server runs): the model server on
// 127.0.0.1 (a free port) with the built-in predictors (ONNX through onnxruntime-node), a filesystem artifact store
// and a fresh home. Prints `{"url": …}` on its first stdout line once it listens; stops on SIGTERM or when its
// stdin closes (so it never outlives the benchmark).
//
//   node bench/serve/slipway-server.mjs <home> <artifacts dir>    (the control-plane token comes from stdin's first line)
import { createInterface } from 'node:readline';
import { builtinPredictors, createFsArtifactStore } from '@slipway/activities';
import { startModelServer } from '@slipway/worker/serve';

const [home, artifactsDir] = process.argv.slice(2);
if (!home || !artifactsDir) throw new Error('usage: slipway-server.mjs <home> <artifacts dir>');

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const token = (await lines.next()).value?.trim() ?? '';
const running = await startModelServer({
  home,
  artifacts: createFsArtifactStore(artifactsDir),
  predictors: builtinPredictors,
  token: { value: token, source: 'the benchmark' },
  host: '127.0.0.1',
  port: 0,
});
console.log(JSON.stringify({ url: running.url }));

let stopping;
const stop = () =>
  (stopping ??= running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  ));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// stdin closes when the benchmark exits, even when it is killed.
for await (const _ of lines);
await stop();
