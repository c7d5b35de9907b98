import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { BUILTIN_TRAINER_NAMES } from '@slipway/activities/settings';
import { z } from 'zod';

/** The grace period a configured trainer gets between SIGTERM and SIGKILL unless it sets `graceSeconds`. */
export const DEFAULT_TRAINER_GRACE_SECONDS = 30;

/** The environment variable the runner sets for every trainer; a configured `env` may not set it. */
const RESERVED_ENV = 'SLIPWAY_TRAINER_INPUT';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TRAINER_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** One configured trainer process, as the configuration file writes it. */
export const TrainerSettingInput = z
  .object({
    /** The program and its arguments (an argv array: no shell). */
    command: z.array(z.string().min(1)).min(1, 'must name the program to run'),
    /**
     * The trainer's code directory (relative to the configuration file's directory): command elements that name a
     * file or directory in it (e.g. `train.py`) are made absolute. The process itself runs in a fresh working
     * directory per attempt, as the trainer protocol says.
     */
    cwd: z.string().min(1).optional(),
    /** Seconds between SIGTERM and SIGKILL on cancellation (default 30). */
    graceSeconds: z.number().positive().max(3600).optional(),
    /** Environment variables for the trainer, on top of the few it inherits from the worker. */
    env: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    for (const name of Object.keys(t.env ?? {})) {
      if (!ENV_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: ['env', name], message: 'must be an environment variable name' });
      } else if (name === RESERVED_ENV) {
        ctx.addIssue({
          code: 'custom',
          path: ['env', name],
          message: `env may not set ${RESERVED_ENV}: the worker sets it`,
        });
      }
    }
  });
/** One configured trainer process, as the configuration file writes it. */
export type TrainerSettingInput = z.infer<typeof TrainerSettingInput>;

/**
 * The `trainers` setting: trainer processes by name. A run input only names a trainer; the command comes from
 * here, the worker's own configuration (a command in a run input would be remote code execution). A name may not
 * be that of a built-in trainer.
 */
export const TrainersSetting = z.record(z.string(), TrainerSettingInput).superRefine((trainers, ctx) => {
  for (const name of Object.keys(trainers)) {
    if (!TRAINER_NAME.test(name)) {
      const message = 'a trainer name is lowercase letters, digits, ".", "_" and "-", starting with a letter or digit';
      ctx.addIssue({ code: 'custom', path: [name], message });
    } else if (BUILTIN_TRAINER_NAMES.includes(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is the name of a built-in trainer` });
    }
  }
});

/** A configured trainer process, resolved: absolute paths, defaults applied. */
export interface ProcessTrainerSpec {
  name: string;
  /** The argv, with elements naming files in the trainer's directory made absolute. */
  command: string[];
  /** The trainer's code directory (absolute). */
  dir: string;
  /** Milliseconds between SIGTERM and SIGKILL. */
  graceMs: number;
  env: Record<string, string>;
}

/** Resolves the `trainers` setting against the configuration file's directory. */
export function resolveTrainers(
  trainers: Readonly<Record<string, TrainerSettingInput>> | undefined,
  configDir: string,
): Record<string, ProcessTrainerSpec> {
  const resolved: Record<string, ProcessTrainerSpec> = {};
  for (const [name, setting] of Object.entries(trainers ?? {})) {
    const dir = resolve(configDir, setting.cwd ?? '.');
    resolved[name] = {
      name,
      command: setting.command.map((part, i) =>
        setting.command[i - 1] === '-m' ? part : resolveCommandPart(part, dir),
      ),
      dir,
      graceMs: (setting.graceSeconds ?? DEFAULT_TRAINER_GRACE_SECONDS) * 1000,
      env: withModulePath(setting, dir),
    };
  }
  return resolved;
}

/**
 * The configured env, plus, for a module run (`python -m <module>`: it runs in a fresh working directory, where
 * Python would not find the module), the trainer's directory first on `PYTHONPATH`.
 */
function withModulePath(setting: TrainerSettingInput, dir: string): Record<string, string> {
  const env = { ...setting.env };
  if (!setting.command.slice(1).includes('-m')) return env;
  env.PYTHONPATH = env.PYTHONPATH ? `${dir}${delimiter}${env.PYTHONPATH}` : dir;
  return env;
}

/** An argument naming a file or directory in the trainer's directory becomes absolute; anything else stays. */
function resolveCommandPart(part: string, dir: string): string {
  if (isAbsolute(part) || part.startsWith('-')) return part;
  const candidate = resolve(dir, part);
  return existsSync(candidate) ? candidate : part;
}

/**
 * The trainer processes a worker configuration allows, by name, resolved (absolute paths, grace in milliseconds):
 * what the train step may run when a run input names a trainer that is not built in.
 */
export function configuredProcessTrainers(config: {
  trainers: Readonly<Record<string, ProcessTrainerSpec>>;
}): Record<string, ProcessTrainerSpec> {
  return Object.fromEntries(
    Object.entries(config.trainers).map(([name, spec]) => [
      name,
      { ...spec, command: [...spec.command], env: { ...spec.env } },
    ]),
  );
}
