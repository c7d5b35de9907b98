#!/usr/bin/env node
// Generates the house-prices example's dataset with a fixed seed, so it is the same bytes on every machine:
//   data/houses.csv  2,000 house sales; the price (in thousands) is drawn from a known, non-linear model
// Usage: node scripts/generate-data.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random) {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function pick(random, items, weights) {
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r <= 0) return items[i];
  }
  return items[items.length - 1];
}

const NEIGHBORHOODS = { riverside: 1.35, oldtown: 1.1, hillcrest: 1.0, eastgate: 0.85, millbrook: 0.75 };

function house(random, index) {
  const neighborhood = pick(random, Object.keys(NEIGHBORHOODS), [0.15, 0.2, 0.25, 0.25, 0.15]);
  const bedrooms = Math.max(1, Math.min(6, Math.round(3 + normal(random) * 0.9)));
  const sqft = Math.max(450, Math.round(600 + bedrooms * 380 + normal(random) * 260));
  const bathrooms = Math.max(1, Math.min(4, Math.round(bedrooms / 2 + normal(random) * 0.5)));
  const age = Math.max(0, Math.min(120, Math.round(35 + normal(random) * 25)));
  const lot = Math.max(0.05, Math.round((0.25 + Math.abs(normal(random)) * 0.3) * 100) / 100);
  const condition = pick(random, ['poor', 'fair', 'good', 'excellent'], [0.1, 0.3, 0.45, 0.15]);
  const conditionFactor = { poor: 0.8, fair: 0.93, good: 1.0, excellent: 1.12 }[condition];
  // age lowers the price until about 70 years, after which "historic" houses recover some value
  const ageFactor = 1 - 0.004 * Math.min(age, 70) + 0.002 * Math.max(0, age - 70);
  const price =
    (60 + 0.16 * sqft + 14 * bathrooms + 45 * Math.sqrt(lot)) *
      NEIGHBORHOODS[neighborhood] *
      conditionFactor *
      ageFactor +
    normal(random) * 18;
  const id = `H${String(index).padStart(5, '0')}`;
  return [id, sqft, bedrooms, bathrooms, age, lot.toFixed(2), neighborhood, condition, Math.max(40, price).toFixed(1)];
}

const header = 'house_id,sqft,bedrooms,bathrooms,age_years,lot_acres,neighborhood,condition,price_k';
const outDir = process.argv[2] ?? join(import.meta.dirname, '..', 'data');
mkdirSync(outDir, { recursive: true });
const random = mulberry32(20260611);
const rows = Array.from({ length: 2000 }, (_, i) => house(random, i + 1));
writeFileSync(join(outDir, 'houses.csv'), [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
console.log(`wrote ${rows.length} houses to ${join(outDir, 'houses.csv')}`);
