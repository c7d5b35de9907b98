#!/usr/bin/env node
// Generates the churn example's datasets with a fixed seed, so they are the same bytes on every machine:
//   data/churn.csv    2,000 customers for training (who churned is drawn from a known logistic model)
//   data/serving.csv  400 customers a few months later, for the demo's predictions and drift check
//   data/recent/churn-2027-03.csv  2,000 customers of those later months with their outcome: the fresh data the
//                     guardian's retrain resolves (the newest file under data/recent/)
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

/** `shift` moves the population: newer customers, higher prices, more support calls. */
function customer(random, index, shift) {
  const tenure = Math.max(0, Math.min(72, Math.round(24 - shift * 8 + normal(random) * 16)));
  const plan = pick(random, ['basic', 'standard', 'premium'], [0.45, 0.35, 0.2]);
  const base = { basic: 35, standard: 65, premium: 95 }[plan];
  const charges = Math.round((base + shift * 6 + normal(random) * 9) * 100) / 100;
  const calls = Math.max(0, Math.min(10, Math.round(1.5 + shift + normal(random) * 1.4)));
  const contract = random() < 0.55 ? 'monthly' : 'annual';
  const paperless = random() < 0.6;
  const z =
    -1.2 -
    0.06 * tenure +
    0.025 * (charges - 60) +
    0.45 * calls +
    1.1 * (contract === 'monthly') -
    0.4 * (plan === 'premium');
  const churned = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  const id = `C${String(index).padStart(5, '0')}`;
  return [id, tenure, charges.toFixed(2), calls, plan, contract, paperless, churned];
}

function toCsv(rows) {
  const header = 'customer_id,tenure_months,monthly_charges,support_calls,plan,contract,paperless,churned';
  return [header, ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

const outDir = process.argv[2] ?? join(import.meta.dirname, '..', 'data');
mkdirSync(outDir, { recursive: true });
const train = mulberry32(20261125);
writeFileSync(join(outDir, 'churn.csv'), toCsv(Array.from({ length: 2000 }, (_, i) => customer(train, i + 1, 0))));
const serving = mulberry32(20270301);
writeFileSync(
  join(outDir, 'serving.csv'),
  toCsv(Array.from({ length: 400 }, (_, i) => customer(serving, 10001 + i, 1))),
);
mkdirSync(join(outDir, 'recent'), { recursive: true });
const recent = mulberry32(20270315);
writeFileSync(
  join(outDir, 'recent', 'churn-2027-03.csv'),
  toCsv(Array.from({ length: 2000 }, (_, i) => customer(recent, 20001 + i, 1))),
);
console.log(`wrote churn.csv, serving.csv and recent/churn-2027-03.csv in ${outDir}`);
