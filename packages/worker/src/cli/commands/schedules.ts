import type { Command } from '@commander-js/extra-typings';
import { builtinPipelines, type AnyPipeline } from '@slipway/sdk';
import {
  ClientErrorCode,
  SlipwayClientError,
  checkPipelineInput,
  parseCron,
  readRunInput,
  type ScheduleInfo,
  type ScheduleOverlap,
} from '@slipway/sdk/client';
import pc from 'picocolors';
import { withClient, type GlobalOptions } from '../context.js';
import { renderSchedule, renderSchedules } from '../render-schedules.js';

/**
 * `slipway schedule create <pipeline> --cron <expr> --input <file> | list | describe | pause | unpause | trigger |
 * delete`: runs of a pipeline on Temporal Schedules. The input file is read and resolved (relative dataset paths,
 * expectation and rollout plan files) and checked when the schedule is created, and its start is signed then.
 */
export function registerScheduleCommands(program: Command, globals: () => GlobalOptions): void {
  const schedule = program
    .command('schedule')
    .description('run a pipeline on a cron schedule (Temporal Schedules): create, list, pause, trigger, delete');

  schedule
    .command('create')
    .description('create a schedule; the input is resolved, checked and signed now, so later runs never read files')
    .argument('<pipeline>', `the pipeline to run (${Object.keys(builtinPipelines).join(', ')})`)
    .requiredOption(
      '--cron <expr>',
      'when: 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 6 * * 1"), or @daily',
    )
    .requiredOption('-i, --input <file>', 'every run’s input, a JSON file; relative paths resolve against it, now')
    .option('--id <name>', 'the schedule’s name: its id is schedule:<pipeline>:<model>:<name>', 'default')
    .option('--as <name>', 'who creates it and signs its start (default: your identity)')
    .option(
      '--overlap <policy>',
      'when a run is due while the last one runs: skip, buffer-one, allow-all, cancel-other',
      'skip',
    )
    .option('--catchup <duration>', 'how late a run missed in an outage may still start', '15m')
    .option('--expires <when>', 'when the schedule and its signed start expire: an ISO time or a duration (90d)')
    .option('--note <text>', 'a note shown by list')
    .option('--paused', 'create it paused')
    .option('--json', 'print the schedule as JSON')
    .action(async (pipeline, options) => {
      const contract = knownPipeline(pipeline);
      parseCron(options.cron);
      const input = readRunInput(options.input);
      checkPipelineInput(contract, input, options.input);
      const created = await withClient(
        globals(),
        options.as,
        (client) =>
          client.schedules.create(contract, {
            cron: options.cron,
            input,
            name: options.id,
            overlap: options.overlap as ScheduleOverlap,
            catchupWindow: options.catchup,
            ...(options.expires ? { expires: options.expires } : {}),
            ...(options.note ? { note: options.note } : {}),
            ...(options.paused ? { paused: true } : {}),
          }),
        options.as ? { startAs: options.as } : {},
      );
      print(created, options.json, `${pc.green('✔')} created ${pc.bold(created.scheduleId)}`);
    });

  schedule
    .command('list')
    .description('every schedule: pipeline, model, cron, next run times, the last run and its status')
    .option('--json', 'print the schedules as JSON')
    .action(async (options) => {
      const all = await withClient(globals(), undefined, (client) => client.schedules.list());
      console.log(options.json ? JSON.stringify(all, null, 2) : renderSchedules(all));
    });

  schedule
    .command('describe')
    .description('one schedule in full')
    .argument('<id>', 'the schedule id (schedule:<pipeline>:<model>:<name>)')
    .option('--json', 'print the schedule as JSON')
    .action(async (id, options) => {
      const found = await withClient(globals(), undefined, (client) => client.schedules.describe(id));
      print(found, options.json);
    });

  schedule
    .command('pause')
    .description('pause a schedule: it starts nothing, not even a trigger, until unpaused')
    .argument('<id>', 'the schedule id')
    .option('--note <text>', 'why, shown by list')
    .action(async (id, options) => {
      const paused = await withClient(globals(), undefined, (client) => client.schedules.pause(id, options.note));
      console.log(`${pc.green('✔')} paused ${pc.bold(paused.scheduleId)}${paused.note ? `: ${paused.note}` : ''}`);
    });

  schedule
    .command('unpause')
    .description('unpause a schedule: its cron starts runs again')
    .argument('<id>', 'the schedule id')
    .option('--note <text>', 'why, shown by list')
    .action(async (id, options) => {
      const resumed = await withClient(globals(), undefined, (client) => client.schedules.unpause(id, options.note));
      print(resumed, false, `${pc.green('✔')} unpaused ${pc.bold(resumed.scheduleId)}`);
    });

  schedule
    .command('trigger')
    .description('start a run of a schedule now (refused while it is paused)')
    .argument('<id>', 'the schedule id')
    .action(async (id) => {
      await withClient(globals(), undefined, (client) => client.schedules.trigger(id));
      console.log(`${pc.green('✔')} triggered ${pc.bold(id)}; see its run with: slipway schedule describe ${id}`);
    });

  schedule
    .command('delete')
    .description('delete a schedule: it starts nothing more (runs it started go on)')
    .argument('<id>', 'the schedule id')
    .action(async (id) => {
      await withClient(globals(), undefined, (client) => client.schedules.delete(id));
      console.log(`${pc.green('✔')} deleted ${pc.bold(id)}`);
    });
}

function print(info: ScheduleInfo, json: boolean | undefined, headline?: string): void {
  if (json) {
    console.log(JSON.stringify(info, null, 2));
    return;
  }
  if (headline) console.log(headline);
  console.log(renderSchedule(info));
}

/** A built-in pipeline's contract by name; an unknown name is refused, naming the pipelines there are. */
function knownPipeline(name: string): AnyPipeline {
  const contract = Object.values(builtinPipelines).find((c: AnyPipeline) => c.name === name);
  if (contract) return contract;
  throw new SlipwayClientError(
    ClientErrorCode.UnknownPipeline,
    `unknown pipeline "${name}": the CLI schedules the built-in pipelines (${Object.keys(builtinPipelines).join(', ')}); schedule a custom pipeline from app code with SlipwayClient.schedules.create(contract, …)`,
  );
}
