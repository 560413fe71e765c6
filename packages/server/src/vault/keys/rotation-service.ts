import { access, vaultResource } from '../../access/access-control.js';
import type { Principal } from '../../auth/principal.js';
import { KEY_CACHE_MS, type Keyring, type VaultKeys } from '../../crypto/keyring.js';
import { resealRun } from '../../detect/run-sealing.js';
import { notFound } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { KeyRotationRow, Store } from '../../store/types.js';
import { fileContext } from '../records/file-service.js';
import { tokenContext, tokenValueContext } from '../records/table-context.js';
import type { VaultService } from '../vault-service.js';

/** Values re-sealed per batch (one transaction each): small enough to keep write locks short. */
const BATCH = 500;

export interface RotationStatus {
  readonly vaultID: string;
  readonly toVersion: number;
  readonly status: 'RUNNING' | 'DONE';
  readonly total: number;
  readonly done: number;
  readonly startedOn: string;
  readonly finishedOn: string | null;
}

/**
 * Online data-key rotation. Starting one makes a new data-key version active at once (new writes use it
 * on every node within {@link KEY_CACHE_MS}), then re-seals every stored value, token and file under it in
 * small batches while reads and writes go on: each batch only replaces rows still holding what it read,
 * so a concurrent update is never overwritten. Progress lives in the rows themselves (their key
 * version), so a rotation interrupted by a crash resumes where it stopped when the server starts again.
 * When nothing uses the old versions any more, and every node has had time to switch, they are retired.
 */
export class RotationService {
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly vaults: VaultService,
    private readonly logger: Logger,
    /** How long to wait, once everything is re-sealed, before retiring old versions (other nodes' caches). */
    private readonly graceMs: number = 3 * KEY_CACHE_MS,
  ) {}

  /** Starts a rotation (or reports the one in progress). */
  async start(principal: Principal, vaultId: string): Promise<RotationStatus> {
    access.require(principal, 'keys.rotate', vaultResource(vaultId));
    await this.vaults.open(vaultId);
    const latest = await this.store.keyRotations.latest(vaultId);
    if (latest?.status === 'RUNNING') {
      this.resume(latest);
      return statusOf(latest);
    }
    const now = Date.now();
    const rotation = await this.store.transaction(async (tx) => {
      const rows = await tx.vaultKeys.listForVault(vaultId);
      const toVersion = Math.max(0, ...rows.filter((r) => r.kind === 'data').map((r) => r.version)) + 1;
      await tx.vaultKeys.insert(this.keyring.newVaultKeyRow(vaultId, 'data', toVersion, now));
      const total =
        (await tx.records.countBelowKeyVersion(vaultId, toVersion)) +
        (await tx.tokens.countBelowKeyVersion(vaultId, toVersion)) +
        (await tx.files.countBelowKeyVersion(vaultId, toVersion)) +
        (await tx.detectRuns.countBelowKeyVersion(vaultId, toVersion));
      const row: KeyRotationRow = {
        vaultId,
        toVersion,
        status: 'RUNNING',
        total,
        done: 0,
        startedAt: now,
        updatedAt: now,
        finishedAt: null,
      };
      await tx.keyRotations.insert(row);
      return row;
    });
    this.keyring.forget(vaultId);
    this.logger.info({ vaultId, toVersion: rotation.toVersion, total: rotation.total }, 'data key rotation started');
    this.resume(rotation);
    return statusOf(rotation);
  }

  async status(principal: Principal, vaultId: string): Promise<RotationStatus> {
    access.require(principal, 'vaults.read', vaultResource(vaultId));
    const latest = await this.store.keyRotations.latest(vaultId);
    if (!latest) throw notFound(`Vault ${vaultId} has never rotated its data key.`);
    return statusOf(latest);
  }

  /** Resumes every rotation left running (after a restart or a crash). */
  async resumeAll(): Promise<void> {
    for (const rotation of await this.store.keyRotations.running()) this.resume(rotation);
  }

  /** Resolves when the rotations this process runs have finished (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  /** Stops this process's rotations between batches; they stay RUNNING and resume on the next start. */
  async shutdown(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private resume(rotation: KeyRotationRow): void {
    if (this.running.has(rotation.vaultId)) return;
    const work = this.run(rotation)
      .catch((err: Error) => {
        // The rotation stays RUNNING and resumes on the next start (or the next rotate request).
        this.logger.error({ vaultId: rotation.vaultId, err: { message: err.message } }, 'data key rotation stopped');
      })
      .finally(() => this.running.delete(rotation.vaultId));
    this.running.set(rotation.vaultId, work);
  }

  private async run(rotation: KeyRotationRow): Promise<void> {
    const { vaultId, toVersion } = rotation;
    let done = rotation.done;
    const stopped = () => this.stopping.signal.aborted;
    for (;;) {
      if (stopped()) return;
      this.keyring.forget(vaultId);
      const keys = await this.keyring.vault(vaultId, this.store);
      const moved = await this.resealBatch(keys, vaultId, toVersion);
      if (moved === 0) break;
      done += moved;
      await this.store.keyRotations.update(vaultId, toVersion, { done, updatedAt: Date.now() });
    }
    // Other nodes may still write with an old version until their key cache expires: wait, then sweep
    // once more before retiring.
    await sleep(this.graceMs, this.stopping.signal);
    if (stopped()) return;
    const keys = await this.keyring.vault(vaultId, this.store);
    while ((await this.resealBatch(keys, vaultId, toVersion)) > 0) {}
    await this.store.transaction(async (tx) => {
      for (const row of await tx.vaultKeys.listForVault(vaultId)) {
        if (row.kind === 'data' && row.version < toVersion && row.status !== 'retired') {
          await tx.vaultKeys.setStatus(vaultId, 'data', row.version, 'retired');
        }
      }
      const finishedAt = Date.now();
      await tx.keyRotations.update(vaultId, toVersion, { status: 'DONE', done, finishedAt, updatedAt: finishedAt });
    });
    this.keyring.forget(vaultId);
    this.logger.info({ vaultId, toVersion, done }, 'data key rotation finished; older data keys retired');
  }

  /** Re-seals up to one batch of cells, tokens, files and Detect runs still under older versions; returns how many. */
  private async resealBatch(keys: VaultKeys, vaultId: string, toVersion: number): Promise<number> {
    return this.store.transaction(async (tx) => {
      let moved = 0;
      for (const cell of await tx.records.cellsBelowKeyVersion(vaultId, toVersion, BATCH)) {
        const address = { table: cell.table, column: cell.column, record: cell.recordId };
        const plain = keys.decrypt(address, cell.value);
        if (await tx.records.resealCell(vaultId, cell, keys.encrypt(address, plain, toVersion), toVersion)) moved++;
      }
      for (const row of await tx.tokens.belowKeyVersion(vaultId, toVersion, BATCH)) {
        const token = keys.seal(
          tokenContext(row.tokenHash),
          keys.open(tokenContext(row.tokenHash), row.token),
          toVersion,
        );
        const value = keys.seal(
          tokenValueContext(row.tokenHash),
          keys.open(tokenValueContext(row.tokenHash), row.value),
          toVersion,
        );
        if (await tx.tokens.reseal(row, token, value, toVersion)) moved++;
      }
      for (const file of await tx.files.belowKeyVersion(vaultId, toVersion, Math.max(1, Math.floor(BATCH / 50)))) {
        const context = fileContext(file.table, file.column, file.recordId);
        const content = keys.seal(context, keys.open(context, file.content), toVersion);
        if (await tx.files.reseal(file, content, toVersion)) moved++;
      }
      // Detect file runs: their sealed input, output, entities and options.
      for (const run of await tx.detectRuns.belowKeyVersion(vaultId, toVersion, Math.max(1, Math.floor(BATCH / 50)))) {
        if (await tx.detectRuns.reseal(run, resealRun(keys, run, toVersion), toVersion)) moved++;
      }
      return moved;
    });
  }
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function statusOf(row: KeyRotationRow): RotationStatus {
  return {
    vaultID: row.vaultId,
    toVersion: row.toVersion,
    status: row.status,
    total: row.total,
    done: Math.min(row.done, row.total),
    startedOn: new Date(row.startedAt).toISOString(),
    finishedOn: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
  };
}
