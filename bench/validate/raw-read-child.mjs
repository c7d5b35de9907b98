// Child process: the raw read baseline. Streams the file in the chunk size Slipway's file source uses and
// counts its line breaks (so every byte is touched), and prints one JSON line: bytes, lines, seconds, peak RSS.
// Usage: node raw-read-child.mjs <file.csv>
import { createReadStream } from 'node:fs';

const CHUNK_BYTES = 512 * 1024;
const started = performance.now();
let bytes = 0;
let lines = 0;
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: CHUNK_BYTES })) {
  bytes += chunk.length;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ bytes, lines, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
