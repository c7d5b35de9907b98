/**
 * The activity inbound interceptor every Slipway worker installs: a failure of one of Slipway's final types leaves
 * any activity the worker runs (built-in steps, user steps, raw activities) non-retryable, even when raised
 * retryable. Step retry policies do not list those types (see `stepActivityOptions`), so this is where they stay
 * final.
 */
import { FINAL_ERROR_TYPES, finalWhenTyped } from '@slipway/sdk';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** The interceptor factory for `Worker.create({ interceptors: { activity: [...] } })`. */
export function finalErrorsActivityInterceptor(): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      execute: async (input, next) => {
        try {
          return await next(input);
        } catch (err) {
          throw finalWhenTyped(err, FINAL_ERROR_TYPES);
        }
      },
    },
  });
}
