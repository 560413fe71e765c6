import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type DeidentifyFileFormat, deidentifyFile } from '@strongroom/detect';
import type { Keyring } from '../crypto/keyring.js';
import type { Logger } from '../logger.js';
import type { DetectRunRow, Store } from '../store/types.js';
import type { RunOptions } from './detect-service.js';
import { engineRefusal } from './engine-errors.js';
import { openPart, sealPart } from './run-sealing.js';
import type { DetectVaultTokens } from './vault-tokens.js';

export interface RunWorkerOptions {
  /** How long a claim holds without renewal; a node that dies mid-run gives its runs up after this. */
  readonly leaseMs?: number;
  /** How often the store is asked for runs waiting (any node's, and those whose node died). */
  readonly pollMs?: number;
  /** How long finished runs are kept. */
  readonly retentionMs: number;
  /** Claims of one run after which it is given up as failing (a run that kills its worker each time). */
  readonly maxAttempts?: number;
  readonly now?: () => number;
}

/** Thrown inside the engine (through the progress callback) once the run must stop on this node. */
class RunInterrupted extends Error {}

const FAILED_REPEATEDLY =
  'The run was interrupted too many times while being processed (the server stopped or failed each time); start it again.';
const INTERNAL =
  'The file could not be processed because of an internal error; try again, and contact your administrator if it persists.';

/**
 * Processes Detect file runs off the request path, on every node. A node claims a waiting run with one
 * conditional update (no lease, or an expired one), renews its lease while it works, and writes the
 * outcome only if it still holds the lease; so a node that crashes mid-run leaves a lease that expires,
 * and another node (or the same one, restarted) does the run again from its stored input. One run at a
 * time per node: the engine is CPU-bound.
 */
export class DetectRunWorker {
  /** This process's name in `claimed_by`. */
  readonly node = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private pollTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private again = false;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly tokens: DetectVaultTokens,
    private readonly logger: Logger,
    private readonly options: RunWorkerOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.pollTimer) return;
    this.stopping = false;
    this.pollTimer = setInterval(() => this.kick(), this.pollMs);
    this.pollTimer.unref();
    const sweepMs = Math.min(60_000, Math.max(1_000, Math.floor(this.options.retentionMs / 10)));
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((err: Error) =>
        this.logger.warn({ err: { message: err.message } }, 'sweep of finished Detect runs failed'),
      );
    }, sweepMs);
    this.sweepTimer.unref();
    this.kick();
  }

  /** Looks for work now (a run was just created on this node). */
  kick(): void {
    if (this.stopping || !this.pollTimer) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.drain()
      .catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'Detect run worker failed'))
      .finally(() => {
        this.busy = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * Stops taking runs and interrupts the one in progress, whose lease is given back so that another
   * node (or this one after a restart) takes it over at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.pollTimer = undefined;
    this.sweepTimer = undefined;
    await this.busy;
  }

  /** Deletes finished runs older than the retention time; returns how many. */
  async sweep(): Promise<number> {
    const deleted = await this.store.detectRuns.deleteFinishedBefore(this.now() - this.options.retentionMs);
    if (deleted > 0) this.logger.info({ deleted }, 'finished Detect runs removed after their retention time');
    return deleted;
  }

  private async drain(): Promise<void> {
    while (!this.stopping) {
      const id = await this.claimNext();
      if (id === undefined) return;
      await this.process(id);
      // Between runs, let requests in.
      await yieldToEventLoop();
    }
  }

  private async claimNext(): Promise<string | undefined> {
    const now = this.now();
    for (const id of await this.store.detectRuns.claimable(now, 8)) {
      if (await this.store.detectRuns.claim(id, this.node, now, now + this.leaseMs)) return id;
    }
    return undefined;
  }

  private async process(id: string): Promise<void> {
    const row = await this.store.detectRuns.get(id);
    if (row?.status !== 'IN_PROGRESS' || row.claimedBy !== this.node) return;
    const log = { runId: id, vaultId: row.vaultId, format: row.dataFormat, attempt: row.attempts };
    if (row.attempts > this.maxAttempts) {
      await this.finishFailed(row, FAILED_REPEATEDLY);
      this.logger.warn(log, 'Detect run given up after repeated interruptions');
      return;
    }
    let progress = { done: row.progressDone, total: row.progressTotal };
    let lost = false;
    // The lease is renewed (and progress recorded) in the background; losing it stops the run here.
    const renewer = setInterval(
      () => {
        const now = this.now();
        this.store.detectRuns.renew(id, this.node, now + this.leaseMs, progress, now).then(
          (held) => {
            if (!held) lost = true;
          },
          (err: Error) =>
            this.logger.warn({ ...log, err: { message: err.message } }, 'Detect run lease renewal failed'),
        );
      },
      // Often enough for a progress bar, and well within the lease.
      Math.max(50, Math.min(250, Math.floor(this.leaseMs / 3))),
    );
    const started = this.now();
    try {
      const keys = await this.keyring.vault(row.vaultId, this.store);
      const { format, ...options } = JSON.parse(
        openPart(keys, id, 'options', row.options).toString('utf8'),
      ) as RunOptions;
      if (row.input === null) throw new Error('the run has no input');
      const input = openPart(keys, id, 'input', row.input);
      this.logger.info({ ...log, bytes: row.inputBytes }, 'Detect run started');
      await yieldToEventLoop();
      const result = await deidentifyFile(input, format as DeidentifyFileFormat, options, {
        tokenizer: (items) => this.tokens.tokenize(keys, items),
        onProgress: (p) => {
          // The last report comes with the output: a run that got that far is written even while stopping.
          if ((this.stopping || lost) && p.done < p.total) throw new RunInterrupted();
          progress = { done: p.done, total: p.total };
        },
      });
      if (lost) throw new RunInterrupted();
      // Sealed under the vault's active key as of now (a rotation may have started meanwhile); the
      // options are sealed again so that every part of the row is under the one recorded version.
      const current = await this.keyring.vault(row.vaultId, this.store);
      const entities = Buffer.from(JSON.stringify(result.entities), 'utf8');
      const finished = await this.store.detectRuns.finish(
        id,
        this.node,
        {
          status: 'SUCCESS',
          sealed: {
            options: sealPart(current, id, 'options', Buffer.from(JSON.stringify({ format, ...options }), 'utf8')),
            output: sealPart(current, id, 'output', result.output),
            entities: sealPart(current, id, 'entities', entities),
          },
          keyVersion: current.activeVersion,
          outputBytes: result.output.length,
          wordCount: result.wordCount,
          characterCount: result.characterCount,
          progress,
        },
        this.now(),
      );
      if (finished) {
        this.logger.info({ ...log, entities: result.entities.length, ms: this.now() - started }, 'Detect run finished');
      }
    } catch (err) {
      if (err instanceof RunInterrupted || this.stopping || lost) {
        if (!lost) await this.store.detectRuns.release(id, this.node, this.now()).catch(() => {});
        this.logger.info(
          log,
          lost ? 'Detect run taken over by another node' : 'Detect run interrupted; it resumes later',
        );
        return;
      }
      const refusal = engineRefusal(err);
      if (refusal) {
        await this.finishFailed(row, refusal.message);
        this.logger.info({ ...log, reason: refusal.message }, 'Detect run failed: the file was refused');
        return;
      }
      // Not the file's fault (the store, a bug): given back, tried again until maxAttempts.
      this.logger.error(
        { ...log, err: { type: (err as Error).name, message: (err as Error).message } },
        'Detect run error',
      );
      if (row.attempts >= this.maxAttempts) await this.finishFailed(row, INTERNAL);
      else await this.store.detectRuns.release(id, this.node, this.now()).catch(() => {});
    } finally {
      clearInterval(renewer);
    }
  }

  private async finishFailed(row: DetectRunRow, message: string): Promise<void> {
    await this.store.detectRuns.finish(row.id, this.node, { status: 'FAILED', message }, this.now());
  }
}
