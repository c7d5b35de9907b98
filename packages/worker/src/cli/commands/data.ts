import { Option, type Command } from '@commander-js/extra-typings';
import { datasetSourceOpener, type ByteSource } from '@slipway/activities';
import {
  CsvOptions,
  DatasetCompression,
  DatasetFormat,
  datasetEncoding,
  type DatasetRef,
  type Digest,
} from '@slipway/sdk';
import pc from 'picocolors';
import { localDatasetAccess, openConfiguredArtifacts, type SlipwayConfig } from '../../config/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { byteProgress, formatBytes } from '../progress.js';
import { registerDataValidateCommand } from './data-validate.js';
import { datasetUri } from '../dataset-uri.js';

/** Copies at least this large show progress. */
export const SNAPSHOT_PROGRESS_MIN_BYTES = 16 * 1024 * 1024;

/** What `slipway data snapshot` prints: an immutable dataset reference, plus the size of the bytes. */
export interface DatasetSnapshot extends DatasetRef {
  digest: Digest;
  format: DatasetFormat;
  compression: DatasetCompression;
  size: number;
}

/** Options of {@link snapshotDataset}. */
export interface SnapshotOptions {
  /** The format, when the dataset's name does not tell it. */
  format?: DatasetFormat;
  /** The compression, when the dataset's name does not tell it. */
  compression?: DatasetCompression;
  /** Called as bytes are copied, with the bytes so far and the total. */
  onProgress?: (copied: number, total: number) => void;
}

/** `slipway data …`: dataset commands. Returns the `data` command, so that more subcommands can join it. */
export function registerDataCommands(program: Command, globals: () => GlobalOptions): Command {
  const data = program
    .command('data')
    .description('work with datasets: validate them, snapshot them into the artifact store');
  registerDataValidateCommand(data, globals);
  data
    .command('snapshot')
    .description(
      'copy a dataset (a path, file:// URI or s3://bucket/key) into the content-addressed artifact store and ' +
        'print an immutable reference to it (JSON on stdout); the same bytes always give the same reference',
    )
    .argument('<dataset>', 'a local path, a file:// URI or s3://bucket/key')
    .addOption(
      new Option('--format <format>', 'the format, when the name does not tell').choices(DatasetFormat.options),
    )
    .addOption(
      new Option('--compression <compression>', 'the compression, when the name does not tell').choices(
        DatasetCompression.options,
      ),
    )
    .action(async (dataset, options) => {
      const config = commandConfig(globals());
      const progress = byteProgress('copied', SNAPSHOT_PROGRESS_MIN_BYTES);
      const snapshot = await snapshotDataset(config, dataset, {
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options.compression === undefined ? {} : { compression: options.compression }),
        onProgress: progress.update,
      }).finally(progress.stop);
      console.log(JSON.stringify(snapshot, null, 2));
      console.error(
        `${pc.green('✔')} snapshot of ${dataset} stored in ${config.artifacts} (${formatBytes(snapshot.size)})\n` +
          `  use this reference as the "dataset" of a run's input file (slipway run <pipeline> --input <file>): ` +
          'its digest pins these exact bytes',
      );
    });
  return data;
}

/**
 * Copies a dataset's stored bytes (still compressed, if they are) into the configured artifact store,
 * hashing them as they stream, and returns an immutable reference: the stored object's `file://` URI,
 * whose name ends in the dataset's extension (e.g. `.csv.gz`) so its format is inferred as before, the
 * format and compression also stated explicitly, the sha256 digest and the size. Snapshotting the same
 * bytes again returns the same reference. The command acts for the person running it on their own machine: it
 * reads any path they name, except Slipway's state directory and files holding keys or tokens (see
 * `localDatasetAccess`).
 */
export async function snapshotDataset(
  config: SlipwayConfig,
  dataset: string,
  options: SnapshotOptions = {},
): Promise<DatasetSnapshot> {
  const uri = datasetUri(dataset);
  const encoding = encodingOf(uri, options);
  const source = datasetSourceOpener({ s3: config.s3, datasetAccess: localDatasetAccess(config) })(uri);
  const total = await source.size();
  const ref = await openConfiguredArtifacts(config).putStream(counted(source, total, options.onProgress), {
    mediaType: mediaTypeOf(encoding.format, encoding.compression),
    extension: snapshotExtension(uri, encoding),
  });
  const csv = CsvOptions.parse({});
  const customCsv = encoding.csv.delimiter !== csv.delimiter || encoding.csv.quote !== csv.quote;
  return {
    uri: ref.uri,
    digest: ref.digest,
    format: encoding.format,
    compression: encoding.compression,
    ...(encoding.format === 'csv' && customCsv ? { csv: encoding.csv } : {}),
    size: ref.size,
  };
}

function encodingOf(uri: string, options: SnapshotOptions): ReturnType<typeof datasetEncoding> {
  try {
    return datasetEncoding({
      uri,
      ...(options.format === undefined ? {} : { format: options.format }),
      ...(options.compression === undefined ? {} : { compression: options.compression }),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message.replace(/: set dataset\.format.*$/, '')}: pass --format csv, jsonl or parquet`);
  }
}

/**
 * The extension the snapshot's name ends with: the dataset's own (`.csv.gz`, `.tsv`, `.jsonl` …) when it
 * infers the same encoding, else the canonical one for the encoding (e.g. `.csv` for a CSV named `data.bin`).
 */
function snapshotExtension(uri: string, encoding: ReturnType<typeof datasetEncoding>): string {
  const name = uri.replace(/[?#].*$/, '').replace(/^.*\//, '');
  const own = /(\.[A-Za-z0-9]{1,16}){1,2}$/.exec(name)?.[0];
  const canonical =
    (encoding.format === 'csv' && encoding.csv.delimiter === '\t' ? '.tsv' : `.${encoding.format}`) +
    (encoding.compression === 'gzip' ? '.gz' : '');
  if (own === undefined) return canonical;
  // Keep only the suffix that matters for inference: `.csv.gz` of `sales.2024.csv.gz`, `.csv` of `a.b.csv`.
  const candidates = [own, own.replace(/^\.[^.]+(?=\.)/, '')];
  const same = candidates.find((ext) => {
    try {
      const inferred = datasetEncoding({ uri: `file:///x${ext}` });
      return (
        inferred.format === encoding.format &&
        inferred.compression === encoding.compression &&
        inferred.csv.delimiter === encoding.csv.delimiter
      );
    } catch {
      return false;
    }
  });
  return same ?? canonical;
}

function mediaTypeOf(format: DatasetFormat, compression: DatasetCompression): string {
  if (compression === 'gzip') return 'application/gzip';
  switch (format) {
    case 'csv':
      return 'text/csv';
    case 'jsonl':
      return 'application/x-ndjson';
    case 'parquet':
      return 'application/vnd.apache.parquet';
  }
}

/** The source's bytes, reporting the running count to `onProgress`. */
async function* counted(
  source: ByteSource,
  total: number,
  onProgress: SnapshotOptions['onProgress'],
): AsyncGenerator<Uint8Array> {
  let copied = 0;
  for await (const chunk of await source.stream()) {
    const bytes = chunk as Buffer;
    copied += bytes.length;
    onProgress?.(copied, total);
    yield bytes;
  }
}
