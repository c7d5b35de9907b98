/**
 * The model server's measurement windows: a rollout step opens one, the server counts what each version does
 * while it is open (by the role the version served in), and the step reads or closes it. A window counts only what
 * happens between its open and its close; windows live in memory, so a restarted server holds none (reading one is
 * a `404 UnknownWindow`) and a step's reading never mixes two processes or two steps.
 */
import { createHash } from 'node:crypto';
import { mulberry32 } from '@slipway/activities/train';
import type { ServedDeployment, WindowAnswer } from '@slipway/sdk';
import { ServeError, ServeErrorCode } from './protocol.js';
import { VersionTally, type ScoringOutcome } from './window-reading.js';

/** The most windows a model keeps; opening another forgets the oldest (a closed one first). */
export const MAX_WINDOWS_PER_MODEL = 64;

/** The role a version serves in. */
export type ServingRole = 'stable' | 'candidate';

/** Opens, reads, closes and feeds measurement windows. */
export interface MeasurementWindows {
  /** Opens the window `windowId` of `model`; a repeat answers the window as it is (open or closed). */
  open(model: string, windowId: string): WindowAnswer;
  /** The window's readings so far; a 404 `UnknownWindow` when this server does not hold it. */
  read(model: string, windowId: string): WindowAnswer;
  /** Closes (freezes) the window and answers its readings; a repeat answers the same. */
  close(model: string, windowId: string): WindowAnswer;
  /** Counts one request `served` handled in `role` in every open window of `model`. */
  record(model: string, role: ServingRole, served: ServedDeployment, outcome: ScoringOutcome): void;
}

interface Window {
  readonly model: string;
  readonly windowId: string;
  readonly openedAt: string;
  closedAt: string | null;
  readonly seed: number;
  readonly tallies: Map<ServingRole, VersionTally>;
}

/** Creates the windows of one server; `now` stamps opens and closes. */
export function createWindows(now: () => Date = () => new Date()): MeasurementWindows {
  const byModel = new Map<string, Map<string, Window>>();
  const windowsOf = (model: string): Map<string, Window> => {
    let windows = byModel.get(model);
    if (!windows) {
      windows = new Map();
      byModel.set(model, windows);
    }
    return windows;
  };
  const find = (model: string, windowId: string): Window => {
    const window = byModel.get(model)?.get(windowId);
    if (window) return window;
    throw new ServeError(
      404,
      ServeErrorCode.UnknownWindow,
      `Model "${model}" has no measurement window "${windowId}" on this server (it was never opened, was ` +
        'forgotten, or the server restarted since): open a new window',
    );
  };
  return {
    open(model, windowId) {
      const windows = windowsOf(model);
      const existing = windows.get(windowId);
      if (existing) return answerOf(existing);
      if (windows.size >= MAX_WINDOWS_PER_MODEL) forgetOldest(windows);
      const window: Window = {
        model,
        windowId,
        openedAt: now().toISOString(),
        closedAt: null,
        seed: seedOf(model, windowId),
        tallies: new Map(),
      };
      windows.set(windowId, window);
      return answerOf(window);
    },
    read: (model, windowId) => answerOf(find(model, windowId)),
    close(model, windowId) {
      const window = find(model, windowId);
      window.closedAt ??= now().toISOString();
      return answerOf(window);
    },
    record(model, role, served, outcome) {
      for (const window of byModel.get(model)?.values() ?? []) {
        if (window.closedAt === null) tallyOf(window, role, served).record(outcome);
      }
    },
  };
}

/**
 * The tally of `role` in a window, for `served`. A role's tally follows the deployment in that role: when
 * another deployment takes the role within the window (a promote), the window measures the new one from then on.
 */
function tallyOf(window: Window, role: ServingRole, served: ServedDeployment): VersionTally {
  const tally = window.tallies.get(role);
  if (tally?.served.deploymentId === served.deploymentId) return tally;
  const fresh = new VersionTally(
    { version: served.version, deploymentId: served.deploymentId },
    mulberry32(window.seed ^ (role === 'stable' ? 0x5eed : 0xca11)),
  );
  window.tallies.set(role, fresh);
  return fresh;
}

function answerOf(window: Window): WindowAnswer {
  return {
    model: window.model,
    windowId: window.windowId,
    openedAt: window.openedAt,
    closedAt: window.closedAt,
    stable: window.tallies.get('stable')?.reading() ?? null,
    candidate: window.tallies.get('candidate')?.reading() ?? null,
  };
}

/** Forgets the oldest closed window, or with none closed the oldest open one. */
function forgetOldest(windows: Map<string, Window>): void {
  const oldest = [...windows.values()].find((w) => w.closedAt !== null) ?? windows.values().next().value;
  if (oldest) windows.delete(oldest.windowId);
}

function seedOf(model: string, windowId: string): number {
  return createHash('sha256').update(model).update('\u0000').update(windowId).digest().readUInt32BE(0);
}
