import {
  Client,
  Connection,
  type ClientInterceptors,
  type ConnectionOptions,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { DEFAULT_TASK_QUEUE, SlipwayMessage } from '../messages.js';
import { rootMessage } from '../errors.js';
import type { AnyPipeline, PipelineInput, PipelineOutput } from '../pipeline.js';
import type { GateListing, GateState } from '../schemas/approval.js';
import { gateListing } from '../gate-listing.js';
import { listGates, type GateListEntry, type ListGatesOptions } from './gates.js';
import { ClientErrorCode, SlipwayClientError, isNotFound, unknownRun } from './errors.js';
import { followRun, type FollowOptions, type FollowResult } from './follow.js';
import { callerIdentity, withStartedBy } from './identity.js';
import { loadKey } from './signing.js';
import { checkPipelineInput, parsePipelineOutput } from './pipeline-input.js';
import { endRun, readRunStatus, type RunContext, type RunStatus } from './run-lifecycle.js';
import { signStart } from './signing.js';
import { startWithModelAttribute } from './model-attribute.js';
import {
  decisionRequest,
  sendDecision,
  serviceDecisionRequest,
  type DecisionContext,
  type DecisionOptions,
  type ServiceDecisionOptions,
} from './gate-decisions.js';
import { commandRollout, readRolloutState, type RolloutClientContext, type RolloutCommandOptions } from './rollout.js';
import { commandDeploy, type DeployCommandOptions } from './deploy.js';
import { deployVersion, deployWorkflowId, type DeployVersionInputRaw } from '../pipelines/deploy-version.js';
import type { DeployCommandKind, DeployWaitState } from '../schemas/deploy-wait.js';
import type { RolloutState } from '../schemas/rollout-state.js';
import type { RollbackModelResult } from '../pipelines/rollback-model.js';
import { rollbackModelRun, type RollbackOptions } from './rollback.js';
import { guardClient, type GuardClient } from './guard.js';
import { modelGuardian } from '../pipelines/model-guardian.js';
import type { KeyLocation, PersonKey } from '../keys/person-keys.js';
import { SlipwaySchedules } from './schedules.js';
import { clientConnectionOptions } from './temporal-connection.js';
import { routedInput } from './route-steps.js';
import type { StepQueues } from '../step-queues.js';

/**
 * How to reach Temporal. Defaults: `TEMPORAL_ADDRESS` or `127.0.0.1:7233`, namespace `TEMPORAL_NAMESPACE` or
 * `default`; without `tls` and `apiKey`, TLS and the API key come from the Temporal CLI's variables (see
 * `temporalEnvironment`), e.g. `TEMPORAL_TLS_CLIENT_CERT_PATH` and `TEMPORAL_TLS_CLIENT_KEY_PATH` for mutual TLS.
 * Build `tls` from files with `temporalConnectionOptions`.
 */
export interface SlipwayClientOptions {
  address?: string;
  namespace?: string;
  /** The task queue runs are started on (default `slipway`). */
  taskQueue?: string;
  /** Recorded in Temporal history as the caller of every start, update and signal. */
  identity?: string;
  /**
   * Who this client acts for, as the directory of people names them: set as `startedBy` of every run it starts
   * (separation of duties: that person may not approve the run). Default: the operating-system user.
   */
  user?: string;
  tls?: ConnectionOptions['tls'];
  apiKey?: string;
  /**
   * Where people's key files are (default: `SLIPWAY_KEYS_DIR`, else `$XDG_CONFIG_HOME/slipway/keys`, else
   * `~/.config/slipway/keys`). The client signs every start with the key of `user` and every decision with the
   * key of the person deciding.
   */
  keys?: KeyLocation;
  /** How long an approve/reject waits for a worker to answer (default 30 s). */
  decisionTimeoutMs?: number;
  /**
   * A default task queue per step for the runs and schedules this client starts, e.g. `{ train: 'slipway-gpu' }`
   * (`stepQueues` in `slipway.config.json` for the CLI): written into each pipeline input that has the step and
   * does not route it itself (`stepOptions.<step>.taskQueue`), before the start is signed. Applies to every start:
   * `start` (with a contract, or the name of a built-in pipeline), `deploy`, `rollback`, `guard.start` (the
   * guardian's steps and its retrain's) and `schedules`; a custom pipeline started by name without its contract is
   * started with its input as given.
   */
  stepQueues?: StepQueues;
  /**
   * Temporal client interceptors, passed to the client as they are: e.g. OpenTelemetry's
   * `OpenTelemetryWorkflowClientInterceptor` (from `@temporalio/interceptors-opentelemetry`), so a run's trace
   * starts at the client's start call. This package depends on no tracing library.
   */
  interceptors?: ClientInterceptors;
}

/** A gate waiting for a decision, as listed (the full gate, with its evidence, is `SlipwayClient.gate(runId)`). */
export interface PendingApproval extends GateListEntry {
  listing: GateListing;
}

/** Options of `SlipwayClient.start`. */
export interface StartOptions {
  /** The run's id, i.e. its Temporal workflow id (default `<pipeline>-<timestamp>-<random>`). */
  runId?: string;
  /** The task queue to start it on (default: the client's `taskQueue`). */
  taskQueue?: string;
  /** The key to sign the start with, instead of the key file of the client's `user`. */
  key?: PersonKey;
}

/**
 * Starts runs, reads their status, and approves or rejects promotions.
 *
 * A `runId` here is always the run's **Temporal workflow id** (what `start` returns, `slipway status` takes and
 * the Web UI shows as "Workflow ID"), never Temporal's per-execution run id.
 *
 * ```ts
 * import { trainAndPromote } from '@slipway/sdk';
 * const slipway = await SlipwayClient.connect({ identity: 'ci', user: 'ci-bot' }); // runs are started by ci-bot
 * const { runId } = await slipway.start(trainAndPromote, input); // input checked before the run starts
 * const [pending] = await slipway.pendingApprovals();
 * await slipway.approve(runId, { as: 'maria', comment: 'AUC up 3 points' });
 * const result = await slipway.result(runId, trainAndPromote); // typed: TrainAndPromoteResult
 * ```
 */
export class SlipwayClient {
  private constructor(
    /** The underlying Temporal client, for anything Slipway does not wrap. */
    readonly temporal: Client,
    private readonly options: SlipwayClientOptions,
    private readonly connection?: Connection,
  ) {
    this.schedules = new SlipwaySchedules({
      temporal,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      user: options.user,
      ...(options.stepQueues ? { stepQueues: options.stepQueues } : {}),
      keyOf: (given) => this.keyOf(given),
    });
  }

  /**
   * Runs on Temporal Schedules: `create` (input checked and signed by this client's user at creation), `list`
   * (next run times, last run's status), `describe`, `pause`, `unpause`, `trigger`, `delete`.
   *
   * ```ts
   * await slipway.schedules.create(checkDrift, { cron: '0 6 * * *', input, name: 'daily' });
   * // id: schedule:checkDrift:churn:daily; each run verifies the signed scheduled start
   * ```
   */
  readonly schedules: SlipwaySchedules;

  /** Connects to Temporal; fails fast with `ServerUnreachable` and the address when nothing answers. */
  static async connect(options: SlipwayClientOptions = {}): Promise<SlipwayClient> {
    // TLS files and API key files are read here (an unreadable one fails naming the file and the setting).
    const target = await clientConnectionOptions(options);
    const { address } = target;
    const namespace = options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
    let connection: Connection;
    try {
      connection = await Connection.connect({ ...target, connectTimeout: 5_000 });
    } catch (err) {
      throw new SlipwayClientError(
        ClientErrorCode.ServerUnreachable,
        `cannot reach Temporal at ${address}: ${rootMessage(err)}. Start a dev server with \`slipway dev\` or set TEMPORAL_ADDRESS.`,
        { cause: err },
      );
    }
    const client = new Client({
      connection,
      namespace,
      ...(options.identity ? { identity: options.identity } : {}),
      ...(options.interceptors ? { interceptors: options.interceptors } : {}),
    });
    return new SlipwayClient(client, { ...options, address, namespace }, connection);
  }

  /** Wraps an existing Temporal client (the caller keeps ownership of its connection). */
  static fromClient(client: Client, options: SlipwayClientOptions = {}): SlipwayClient {
    return new SlipwayClient(client, options);
  }

  /**
   * Starts a pipeline run as this client's user (`startedBy`, see `user`); an input naming another `startedBy`
   * is refused. Returns the run's id, its Temporal workflow id (default `<pipeline>-<timestamp>-<random>`).
   *
   * With a pipeline contract (e.g. `trainAndPromote` from `@slipway/sdk`) the input is typed and parsed with the
   * contract's input schema first: a bad input throws `InvalidInput` naming every failing field path, and no run
   * is started. With a name (a workflow type, e.g. a custom pipeline without a contract) the input is **not
   * checked** here: a bad one starts a run that fails in the workflow.
   *
   * The client's `stepQueues` are written into the input before it is signed (the input's own
   * `stepOptions.<step>.taskQueue` wins): by the contract's steps, or for a name, by the built-in pipeline of that
   * name; the input of any other name is started as given (its steps are unknown to the client).
   */
  async start<C extends AnyPipeline>(
    pipeline: C,
    input: PipelineInput<C>,
    opts?: StartOptions,
  ): Promise<{ runId: string }>;
  async start(pipeline: string, input: unknown, opts?: StartOptions): Promise<{ runId: string }>;
  async start(pipeline: AnyPipeline | string, input: unknown, opts: StartOptions = {}): Promise<{ runId: string }> {
    const name = typeof pipeline === 'string' ? pipeline : pipeline.name;
    const runId =
      opts.runId ??
      `${name}-${new Date()
        .toISOString()
        .replace(/[-:.TZ]/g, '')
        .slice(0, 14)}-${Math.random().toString(36).slice(2, 8)}`;
    const user = callerIdentity(this.options.user);
    const startInput = withStartedBy(routedInput(pipeline, input, this.options.stepQueues), user);
    // The run gets the input as given (the workflow parses it again): only the check happens here.
    if (typeof pipeline !== 'string') checkPipelineInput(pipeline, startInput);
    const signed = await signStart({ pipeline: name, runId, input: startInput, signer: user }, this.keyOf(opts.key));
    await startWithModelAttribute(startInput, (attributes) =>
      this.temporal.workflow.start(name, {
        workflowId: runId,
        taskQueue: opts.taskQueue ?? this.options.taskQueue ?? DEFAULT_TASK_QUEUE,
        args: [signed],
        ...attributes,
      }),
    );
    return { runId };
  }

  /**
   * Requests cancellation of an open run: its workflow stops at its next step (a run whose workflow task keeps
   * failing cannot process the request; terminate it). Throws `UnknownRun`, or `RunClosed` for a finished run.
   */
  async cancel(runId: string): Promise<void> {
    await endRun(this.runContext(), runId, 'cancel', (handle) => handle.cancel());
  }

  /** Ends an open run at once, recording `reason`. Throws `UnknownRun`, or `RunClosed` for a finished run. */
  async terminate(runId: string, reason: string): Promise<void> {
    if (!reason.trim())
      throw new SlipwayClientError(ClientErrorCode.InvalidInput, 'terminating a run needs a reason, for its history');
    await endRun(this.runContext(), runId, 'terminate', (handle) => handle.terminate(reason));
  }

  /** A run's status and progress. Throws `UnknownRun` for an id that does not exist. */
  async status(runId: string): Promise<RunStatus> {
    return readRunStatus(this.runContext(), runId);
  }

  /**
   * Waits for run `runId` (its workflow id) to finish and returns its result; throws the run's failure. With the
   * run's pipeline contract the result is parsed with the contract's output schema and typed (a run of another
   * pipeline throws `InvalidInput`, a result that does not match `InvalidOutput`); without, it is returned
   * unchecked as `T`.
   */
  async result<C extends AnyPipeline>(runId: string, contract: C): Promise<PipelineOutput<C>>;
  async result<T = unknown>(runId: string): Promise<T>;
  async result(runId: string, contract?: AnyPipeline): Promise<unknown> {
    const handle = this.temporal.workflow.getHandle(runId);
    if (!contract) return (await handle.result()) as unknown;
    const description = await this.describe(runId);
    if (description.type !== contract.name)
      throw new SlipwayClientError(
        ClientErrorCode.InvalidInput,
        `run ${runId} is a run of pipeline "${description.type}", not "${contract.name}": read it with that pipeline's contract`,
      );
    return parsePipelineOutput(contract, (await handle.result()) as unknown, runId) as unknown;
  }

  /**
   * Follows run `runId` (its workflow id): polls its status and calls `onStep` whenever a step changes, until
   * its gate waits for a decision (`until: 'gate'`) or it has closed (`'end'`); it also stops when the run's
   * workflow task keeps failing (`workflowTaskFailure` is set: the run cannot go on until its worker is fixed).
   * Pass the result's `seen` to a later call to hear only what changed since. Throws `UnknownRun`.
   *
   * ```ts
   * const atGate = await slipway.follow(runId, { until: 'gate', onStep: (s) => console.log(s.step, s.status) });
   * await slipway.approve(runId, { as: 'maria' });
   * await slipway.follow(runId, { until: 'end', seen: atGate.seen, onStep: (s) => console.log(s.step, s.status) });
   * ```
   */
  async follow(runId: string, options: FollowOptions): Promise<FollowResult> {
    return followRun(() => this.status(runId), options);
  }

  /** The gate of a run. Throws `UnknownRun`, or `NoGate` before the run has reached its gate. */
  async gate(runId: string): Promise<GateState> {
    await this.describe(runId);
    return this.queryGate(runId);
  }

  /** The gate of a run known to exist (described already): one query to its workflow. */
  private async queryGate(runId: string): Promise<GateState> {
    const gate = await this.temporal.workflow
      .getHandle(runId)
      .query<GateState | null>(SlipwayMessage.gateState)
      .catch((err: unknown) => {
        throw isNotFound(err) ? unknownRun(runId, err) : err;
      });
    if (!gate)
      throw new SlipwayClientError(ClientErrorCode.NoGate, `run ${runId} has not reached its approval gate yet`);
    return gate;
  }

  /**
   * Gates from the visibility store alone (one list call, no query per run): each run's `GateListing` from its memo,
   * `null` for a run whose gate opened before gates published one. `status` `pending` lists waiting gates oldest
   * first; `closed` approved, rejected and expired ones; `model` one model's; `limit` at most that many (default 1000).
   * Throws `InvalidInput` for a bad option.
   */
  async listGates(options: ListGatesOptions = {}): Promise<GateListEntry[]> {
    return listGates(this.temporal, options);
  }

  /**
   * Every run whose gate is waiting for a decision, oldest first, as listed (`listGates`); only a run whose gate
   * opened before gates published their listing is asked for its gate (its listing rebuilt from the gate's state).
   */
  async pendingApprovals(options: Omit<ListGatesOptions, 'status'> = {}): Promise<PendingApproval[]> {
    const pending: PendingApproval[] = [];
    for (const entry of await this.listGates({ ...options, status: 'pending' })) {
      const listing = entry.listing ?? (await this.listingFromGate(entry.runId));
      if (listing?.status === 'pending') pending.push({ ...entry, listing });
    }
    return pending;
  }

  /** Approves a run's promotion. Refusals throw a `SlipwayClientError` whose code says why. */
  async approve(runId: string, decision: DecisionOptions): Promise<GateState> {
    return this.decide(runId, 'approve', decision);
  }

  /** Rejects a run's promotion. */
  async reject(runId: string, decision: DecisionOptions): Promise<GateState> {
    return this.decide(runId, 'reject', decision);
  }

  /** Sends a decision by Signal (fire-and-forget); the gate records a refused one instead of applying it. */
  async signalDecision(runId: string, kind: 'approve' | 'reject', decision: DecisionOptions): Promise<void> {
    const request = await decisionRequest(this.decisionContext(), runId, kind, decision);
    await this.temporal.workflow.getHandle(runId).signal(SlipwayMessage.gateDecideSignal, request);
  }

  /**
   * The model guardian (`guardian:<model>`): `start` (signed as this client's user), `status`, `pause`, `resume`,
   * `stop` (signed commands by one of the retrain policy's approvers) and `report` (a check's summary and references).
   */
  get guard(): GuardClient {
    return guardClient({
      ...this.rolloutContext(),
      startRun: (input, opts) => this.start(modelGuardian, input, opts),
    });
  }

  /** The state of `model`'s rollout (`rollout:<model>`): phase, step, split, last readings, commands. */
  async rolloutStatus(model: string): Promise<RolloutState> {
    return readRolloutState(this.rolloutContext(), model);
  }

  /**
   * Sends a signed command to `model`'s running rollout as `options.as` (one of the approval policy's approvers):
   * `pause` holds the split, `resume` goes on, `promote` promotes the candidate now, `abort` rolls it back.
   * Refusals throw a `SlipwayClientError` whose code says why (`OperatorNotAllowed`, `RolloutClosed`, …).
   */
  async rolloutCommand(
    model: string,
    command: 'pause' | 'resume' | 'promote' | 'abort',
    options: RolloutCommandOptions,
  ): Promise<RolloutState> {
    return commandRollout(this.rolloutContext(), model, command, options);
  }

  /**
   * Sends a signed `retry` or `abort` to run `runId`, whose deploy failed after its approval and which waits for an
   * operator, as `options.as` (one of the approval policy's approvers): `retry` deploys again with the same
   * approval, `abort` ends the run `deploy_aborted` with nothing serving changed. Answers the wait's state; refusals
   * throw a `SlipwayClientError` whose code says why (`NotWaiting`, `OperatorNotAllowed`, `BadSignature`, …).
   */
  async deployCommand(
    runId: string,
    command: DeployCommandKind,
    options: DeployCommandOptions,
  ): Promise<DeployWaitState> {
    return commandDeploy(this.rolloutContext(), runId, command, options);
  }

  /**
   * Deploys a registered version whose approval is on record, without a new gate (`slipway deploy <model>@<version>`):
   * starts the `deployVersion` pipeline as this client's user (signed), with the run id `deploy:<model>`. The run
   * refuses, naming the version and why, before anything changes: no approval on record (or none with a stored
   * proof), rolled back since, approved against another champion, a proof that no longer verifies, or a user whom
   * the recorded policy does not let decide. Throws `AlreadyRunning` while a deploy of the model runs.
   */
  async deploy(input: DeployVersionInputRaw, opts: Omit<StartOptions, 'runId'> = {}): Promise<{ runId: string }> {
    const runId = deployWorkflowId(input.model);
    try {
      return await this.start(deployVersion, input, { ...opts, runId });
    } catch (err) {
      if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError') {
        throw new SlipwayClientError(
          ClientErrorCode.AlreadyRunning,
          `a deploy of ${input.model} is already running (${runId}): wait for it, or see slipway status ${runId}`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /**
   * Rolls `model` back as `options.as`: starts `rollbackModel` as `rollout:<model>`, signed with that person's key,
   * and waits for it. Restores the version that served before the live one (or `options.to`) on the deploy target
   * and moves the alias with it, recorded in the registry and the audit log. Throws `RolloutRunning` while a rollout
   * (or rollback) of the model runs, `RollbackRefused` naming why (nothing served before, `to` is live, never served
   * or never approved, a person the live version's approval does not let decide), `UnverifiedStart`, or
   * `RollbackFailed`.
   */
  async rollback(model: string, options: RollbackOptions): Promise<RollbackModelResult> {
    return rollbackModelRun(
      {
        temporal: this.temporal,
        keyOf: (given) => this.keyOf(given),
        taskQueue: this.options.taskQueue ?? DEFAULT_TASK_QUEUE,
        stepQueues: this.options.stepQueues,
      },
      model,
      options,
    );
  }

  /** Closes the connection this client opened (not one passed to `fromClient`). */
  async close(): Promise<void> {
    await this.connection?.close();
  }

  /**
   * Sends a decision that a service the directory trusts signed for the person it authenticated (the approvals
   * page): `approver` is that person, `evidenceDigest` the evidence they were shown, `service` the service's name in
   * the directory and its private key (base64url seed). The gate verifies the signature with the service's key from
   * the directory, and only for people the directory lets that service sign for. Refusals throw a
   * `SlipwayClientError` whose code says why, as `approve` does.
   */
  async decideAsService(
    runId: string,
    kind: 'approve' | 'reject',
    decision: ServiceDecisionOptions,
  ): Promise<GateState> {
    const ctx = this.decisionContext();
    return sendDecision(ctx, runId, await serviceDecisionRequest(ctx, runId, kind, decision));
  }

  /** A run's listing rebuilt from its gate's state (runs whose gate publishes none); undefined when unreadable. */
  private async listingFromGate(runId: string): Promise<GateListing | undefined> {
    const gate = await this.gate(runId).catch(() => undefined);
    return gate ? gateListing(gate) : undefined;
  }

  private async decide(runId: string, kind: 'approve' | 'reject', decision: DecisionOptions): Promise<GateState> {
    const ctx = this.decisionContext();
    return sendDecision(ctx, runId, await decisionRequest(ctx, runId, kind, decision));
  }

  private runContext(): RunContext {
    return {
      temporal: this.temporal,
      describe: (runId) => this.describe(runId),
      withDeadline: (ms, fn) => this.withDeadline(ms, fn),
    };
  }

  private decisionContext(): DecisionContext {
    return {
      ...this.rolloutContext(),
      queryGate: (runId) => this.queryGate(runId),
      describe: (runId) => this.describe(runId),
    };
  }

  private rolloutContext(): RolloutClientContext {
    return {
      temporal: this.temporal,
      keyOf: (given) => this.keyOf(given),
      withDeadline: (ms, fn) => this.withDeadline(ms, fn),
      timeoutMs: this.options.decisionTimeoutMs ?? 30_000,
    };
  }

  /** The key to sign with: the one given, else the named person's key file. */
  private keyOf(given: PersonKey | undefined): (name: string) => Promise<PersonKey> {
    return async (name) => given ?? (await loadKey(name, this.options.keys));
  }

  private async describe(runId: string): Promise<WorkflowExecutionDescription> {
    try {
      return await this.temporal.workflow.getHandle(runId).describe();
    } catch (err) {
      throw isNotFound(err) ? unknownRun(runId, err) : err;
    }
  }

  private withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    return this.temporal.withDeadline(Date.now() + ms, fn);
  }
}
