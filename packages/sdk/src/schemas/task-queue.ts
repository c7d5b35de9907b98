import { z } from 'zod';

/**
 * A Temporal task queue name, as a pipeline input routes a step to one (`stepOptions.train.taskQueue`) or a worker
 * polls one (`slipway worker --task-queue`): 1 to 1,000 characters (Temporal's limit), no whitespace or control
 * characters (a name with a stray space or newline would route to a queue no worker polls), not in Temporal's
 * reserved `/_sys/` space.
 */
export const TaskQueueName = z
  .string()
  .min(1, 'a task queue name is not empty')
  .max(1000, 'a task queue name has at most 1000 characters')
  .regex(/^[^\s\p{Cc}]+$/u, 'a task queue name has no whitespace or control characters')
  .refine((name) => !name.startsWith('/_sys/'), 'task queue names starting with /_sys/ are reserved by Temporal');
/** A Temporal task queue name. */
export type TaskQueueName = z.infer<typeof TaskQueueName>;
