// The drift benchmark's data: a seeded, counter-based generator (each value is a hash of the seed, the feature and
// the row), so any chunk of rows can be made on its own and the same seed gives the same values everywhere.
// Rows [0, rows/2) are the training half, rows [rows/2, rows) the serving half; every fifth feature drifts in the
// serving half on half of the features (in every ten: a normal moves its mean by half a standard deviation, an
// integer feature widens its range, a bimodal one moves weight between its modes, two categorical ones move their
// shares). Features cycle through six numeric shapes and four categorical ones: six numeric and four categorical
// in every ten.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/** Bump when the generated values change, so old files are not reused. */
export const GENERATOR_VERSION = 1;

const NUMERIC_SHAPES = ['normal', 'lognormal', 'uniform', 'integer', 'normal-wide', 'bimodal'];
const CATEGORICAL_LEVELS = [3, 8, 20, 50];
/** The positions in every ten features whose serving half drifts. */
const DRIFTING_SLOTS = [0, 3, 5, 6, 8];

/** One feature: its name, kind, shape or levels, and whether its serving half drifts. */
export function featureSpecs(features) {
  const specs = [];
  for (let f = 0; f < features; f++) {
    const slot = f % 10;
    const drifts = DRIFTING_SLOTS.includes(slot);
    if (slot < 6) specs.push({ name: `num_${f}`, kind: 'numeric', shape: NUMERIC_SHAPES[slot], drifts });
    else {
      const levels = CATEGORICAL_LEVELS[slot - 6];
      const names = Array.from({ length: levels }, (_, i) => `c${f}_${i}`);
      specs.push({ name: `cat_${f}`, kind: 'categorical', levels: names, drifts });
    }
  }
  return specs;
}

/** A 32-bit hash of three 32-bit integers (murmur3's finaliser over a mixed key). */
function hash3(seed, feature, row, salt) {
  let h = (seed ^ Math.imul(feature + 1, 0x85ebca77) ^ Math.imul(row, 0x9e3779b1) ^ Math.imul(salt, 0xc2b2ae3d)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform in (0, 1). */
function uniform(seed, feature, row, salt) {
  return (hash3(seed, feature, row, salt) + 0.5) / 4294967296;
}

function normal(seed, feature, row) {
  const u = uniform(seed, feature, row, 1);
  const v = uniform(seed, feature, row, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function numericValue(spec, seed, f, row, serving) {
  const shift = serving && spec.drifts;
  const z = normal(seed, f, row);
  switch (spec.shape) {
    case 'normal':
      return 50 + 10 * z + (shift ? 5 : 0);
    case 'lognormal':
      return Math.exp(3 + 0.5 * z);
    case 'uniform':
      return 100 * uniform(seed, f, row, 3);
    case 'integer':
      return Math.floor((shift ? 26 : 20) * uniform(seed, f, row, 3));
    case 'normal-wide':
      return 1000 * z;
    default:
      return uniform(seed, f, row, 3) < (shift ? 0.5 : 0.3) ? z - 4 : z + 4;
  }
}

/** Cumulative shares of `levels` categories: Zipf-like, and reversed when the feature drifts. */
function cumulativeShares(levels, shifted) {
  const weights = Array.from({ length: levels }, (_, i) => 1 / (shifted ? levels - i : i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
}

/**
 * The values of rows [start, end) of `features` features, column by column: a Float64Array per numeric feature, a
 * Uint8Array of category codes per categorical one (`spec.levels[code]` is the value).
 */
export function generateChunk(seed, features, totalRows, start, end) {
  const specs = featureSpecs(features);
  const half = Math.floor(totalRows / 2);
  return specs.map((spec, f) => {
    const length = end - start;
    if (spec.kind === 'numeric') {
      const values = new Float64Array(length);
      for (let i = 0; i < length; i++) {
        const row = start + i;
        values[i] = numericValue(spec, seed, f, row, row >= half);
      }
      return values;
    }
    const tables = [cumulativeShares(spec.levels.length, false), cumulativeShares(spec.levels.length, spec.drifts)];
    const codes = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const row = start + i;
      const cumulative = tables[row >= half ? 1 : 0];
      const u = uniform(seed, f, row, 4);
      let code = 0;
      while (code < cumulative.length - 1 && u > cumulative[code]) code++;
      codes[i] = code;
    }
    return codes;
  });
}

/**
 * Writes the data file both children read (`rows` × `features`, column after column: float64 little-endian for a
 * numeric feature, one byte per row for a categorical one) and `<file>.json` describing it. Reused while the seed,
 * the size and the generator version match.
 */
export async function ensureDataFile(file, { seed, rows, features }, log) {
  const meta = { version: GENERATOR_VERSION, seed, rows, features, columns: featureSpecs(features) };
  const metaFile = `${file}.json`;
  if (existsSync(file) && existsSync(metaFile)) {
    const old = JSON.parse(readFileSync(metaFile, 'utf8'));
    if (old.version === meta.version && old.seed === seed && old.rows === rows && old.features === features)
      return meta;
  }
  log(`generating ${rows.toLocaleString('en')} rows × ${features} features into ${file} …`);
  const columns = generateChunk(seed, features, rows, 0, rows);
  const fd = openSync(file, 'w');
  try {
    for (const column of columns) writeSync(fd, new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  } finally {
    closeSync(fd);
  }
  await writeFile(metaFile, JSON.stringify(meta));
  return meta;
}

/** Reads the data file back as columns (the layout {@link ensureDataFile} writes). */
export function readDataFile(file, meta) {
  const bytes = readFileSync(file);
  let offset = 0;
  return meta.columns.map((spec) => {
    const size = spec.kind === 'numeric' ? 8 * meta.rows : meta.rows;
    const slice = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size);
    offset += size;
    return spec.kind === 'numeric' ? new Float64Array(slice) : new Uint8Array(slice);
  });
}
