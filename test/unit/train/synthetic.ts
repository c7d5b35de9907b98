/** A synthetic, separable-ish churn dataset for training tests, fully determined by a seed. */
import { mulberry32 } from '../../../packages/activities/src/train/index.js';
import type { RowSchemaInput } from '@slipway/sdk';
import type { TypedRow } from '../../../packages/activities/src/ports.js';

/** The row schema of {@link customerCsv}. */
export const customerSchema: RowSchemaInput = {
  columns: {
    customer_id: { type: 'string' },
    tenure_months: { type: 'number', integer: true, min: 0 },
    monthly_fee: { type: 'number', min: 0 },
    plan: { type: 'string', values: ['basic', 'pro', 'team'] },
    churned: { type: 'boolean', nullable: true },
  },
};

/** The features a model of {@link customerCsv} is trained on. */
export const customerFeatures = {
  numeric: ['tenure_months', 'monthly_fee'],
  categorical: ['plan'],
  target: 'churned',
};

/** One synthetic customer. */
export interface Customer {
  tenure: number;
  fee: number;
  plan: 'basic' | 'pro' | 'team';
  churned: boolean;
}

/** `n` customers: churn is likelier with short tenure, high fees and the basic plan, plus noise. */
export function customers(n: number, seed = 7): Customer[] {
  const random = mulberry32(seed);
  const plans = ['basic', 'pro', 'team'] as const;
  return Array.from({ length: n }, () => {
    const tenure = Math.floor(random() * 60);
    const fee = Math.round((20 + random() * 80) * 100) / 100;
    const plan = plans[Math.floor(random() * 3)] ?? 'basic';
    const noise = (random() + random() + random() - 1.5) * 2;
    const logit = -0.08 * (tenure - 30) + 0.04 * (fee - 60) + (plan === 'basic' ? 0.8 : -0.4) + noise;
    return { tenure, fee, plan, churned: logit > 0 };
  });
}

/** The customers as typed rows (`tenure_months`, `monthly_fee`, `plan`, `churned`). */
export function customerRows(list: readonly Customer[]): TypedRow[] {
  return list.map((c) => ({ tenure_months: c.tenure, monthly_fee: c.fee, plan: c.plan, churned: c.churned }));
}

/** The customers as CSV text with a header. */
export function customerCsv(list: readonly Customer[]): string {
  const lines = ['customer_id,tenure_months,monthly_fee,plan,churned'];
  list.forEach((c, i) => lines.push(`c${i},${c.tenure},${c.fee},${c.plan},${c.churned ? 'yes' : 'no'}`));
  return `${lines.join('\n')}\n`;
}
