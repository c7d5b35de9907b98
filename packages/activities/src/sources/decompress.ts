import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DatasetCompression } from '@slipway/sdk';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';

/**
 * The decompressed bytes of a stream of stored bytes. Hash the stored bytes (the dataset digest is over
 * them) and hand the same stream here, after hashing. `'none'` returns `source` itself; `'gzip'` inflates
 * every gzip member (concatenated members, as `cat a.gz b.gz` makes, are read as one stream).
 *
 * Corrupt or truncated gzip data fails the returned stream with a final `SlipwayInvalidInput` that names
 * `name` (a path or URI); an error of `source` passes through unchanged. Destroying the returned stream
 * destroys `source` too.
 */
export function decompressed(source: Readable, compression: DatasetCompression, name = 'the dataset'): Readable {
  switch (compression) {
    case 'none':
      return source;
    case 'gzip':
      return gunzipped(source, name);
  }
}

function gunzipped(source: Readable, name: string): Readable {
  const gunzip = createGunzip();
  const output = new PassThrough({ readableHighWaterMark: gunzip.readableHighWaterMark });
  source.once('error', (err) => output.destroy(err));
  gunzip.once('error', (err) => output.destroy(gzipFailure(err, name)));
  output.once('close', () => {
    source.destroy();
    gunzip.destroy();
  });
  source.pipe(gunzip).pipe(output);
  return output;
}

function gzipFailure(err: Error, name: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const what = code === 'Z_BUF_ERROR' ? 'its gzip data is truncated' : `it is not valid gzip data (${err.message})`;
  return finalFailure(SlipwayErrorType.InvalidInput, `Cannot decompress ${name}: ${what}`, {
    source: name,
    code,
  });
}
