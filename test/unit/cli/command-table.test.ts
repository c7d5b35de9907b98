/**
 * The CLI loads only the module of the command it runs (`command-table.ts`): each module must register exactly the
 * top-level commands the table says, and the command a person names must be found past the global options.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, commandNamed, modulesFor } from '../../../packages/worker/src/cli/command-table.js';
import { createProgram, programFor } from '../../../packages/worker/src/cli/program.js';

const WITH_VALUE = new Set(['--address', '--namespace', '--home', '--task-queue']);

describe('the CLI command table', () => {
  it('names exactly the top-level commands each module registers, each command once', async () => {
    for (const module of COMMAND_MODULES) {
      const program = createProgram();
      (await module.load())(program, () => ({}));
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...module.commands].sort());
    }
    const all = COMMAND_MODULES.flatMap((m) => m.commands);
    expect(new Set(all).size).toBe(all.length);
  }, 60_000);

  it('builds the program with only the named command, or with every command for help', async () => {
    const names = async (args: string[]) => (await programFor(args)).commands.map((c) => c.name());
    expect(await names(['--home', './state', 'approve', 'run-1', '--as', 'maria'])).toEqual([
      'approvals',
      'approve',
      'reject',
    ]);
    expect(await names(['--help'])).toEqual(COMMAND_MODULES.flatMap((m) => m.commands));
  }, 60_000);

  it('finds the command past global options and their values', () => {
    expect(commandNamed(['--home', './state', 'approvals', '--json'], WITH_VALUE)).toBe('approvals');
    expect(commandNamed(['--address=127.0.0.1:7233', 'approve', 'run-1'], WITH_VALUE)).toBe('approve');
    expect(commandNamed(['--help'], WITH_VALUE)).toBeUndefined();
    expect(modulesFor(['--task-queue', 'q', 'status', 'x'], WITH_VALUE).map((m) => m.commands)).toEqual([
      ['run', 'status', 'cancel', 'terminate'],
    ]);
  });

  it('loads every module for help and for a command it does not know (so Commander can list them)', () => {
    expect(modulesFor([], WITH_VALUE)).toBe(COMMAND_MODULES);
    expect(modulesFor(['help', 'approvals'], WITH_VALUE)).toBe(COMMAND_MODULES);
    expect(modulesFor(['aprovals'], WITH_VALUE)).toBe(COMMAND_MODULES);
  });
});
