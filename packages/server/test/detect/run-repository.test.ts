import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DetectRunRow, Store } from '../../src/store/types.js';
import { STORE_KINDS, targetFor, unavailable, vaultRow } from '../store/harness.js';

const NOW = 1_700_000_000_000;
const LEASE = 30_000;

function run(id: string, vaultId: string, overrides: Partial<DetectRunRow> = {}): DetectRunRow {
  return {
    id,
    vaultId,
    status: 'IN_PROGRESS',
    endpoint: 'file/text',
    dataFormat: 'txt',
    options: Buffer.from('sealed-options'),
    input: Buffer.from('sealed-input'),
    output: null,
    entities: null,
    keyVersion: 1,
    inputBytes: 12,
    outputBytes: null,
    wordCount: null,
    characterCount: null,
    message: '',
    progressDone: 0,
    progressTotal: 0,
    attempts: 0,
    claimedBy: null,
    leaseUntil: null,
    createdBy: 'sa-1',
    createdAt: NOW,
    updatedAt: NOW,
    finishedAt: null,
    ...overrides,
  };
}

const success = {
  status: 'SUCCESS' as const,
  sealed: { options: Buffer.from('o2'), output: Buffer.from('out'), entities: Buffer.from('ent') },
  keyVersion: 2,
  outputBytes: 3,
  wordCount: 5,
  characterCount: 30,
  progress: { done: 7, total: 7 },
};

for (const kind of STORE_KINDS) {
  describe.skipIf(await unavailable(kind))(`Detect run repository (${kind})`, () => {
    const target = targetFor(kind);
    afterEach(async () => {
      await target.reset();
    });
    afterAll(async () => {
      await target.dispose();
    });

    async function storeWithVault(): Promise<Store> {
      const store = await target.fresh();
      await store.vaults.insert(vaultRow('v1'));
      return store;
    }

    it('stores a run and reads it back whole', async () => {
      const store = await storeWithVault();
      const row = run('r1', 'v1', { progressTotal: 10 });
      await store.detectRuns.insert(row);
      expect(await store.detectRuns.get('r1')).toEqual(row);
      expect(await store.detectRuns.get('nope')).toBeUndefined();
    });

    it('lets exactly one of several nodes claim a waiting run, each with one conditional update', async () => {
      const store = await storeWithVault();
      await store.detectRuns.insert(run('r1', 'v1'));
      const others = [target.reopen(store), target.reopen(store), target.reopen(store)];
      const nodes = [store, ...others];
      const claims = await Promise.all(nodes.map((s, i) => s.detectRuns.claim('r1', `node-${i}`, NOW, NOW + LEASE)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = `node-${claims.indexOf(true)}`;
      const row = await store.detectRuns.get('r1');
      expect(row).toMatchObject({ claimedBy: winner, leaseUntil: NOW + LEASE, attempts: 1 });
      expect(await store.detectRuns.claimable(NOW + 1, 10)).toEqual([]);
      await Promise.all(others.map((s) => s.close()));
    });

    it('hands a run whose lease expired to another node, and the first node can no longer write it', async () => {
      const store = await storeWithVault();
      await store.detectRuns.insert(run('r1', 'v1'));
      expect(await store.detectRuns.claim('r1', 'dead', NOW, NOW + LEASE)).toBe(true);
      expect(await store.detectRuns.claim('r1', 'other', NOW + LEASE - 1, NOW + 2 * LEASE)).toBe(false);
      const later = NOW + LEASE + 1;
      expect(await store.detectRuns.claimable(later, 10)).toEqual(['r1']);
      expect(await store.detectRuns.claim('r1', 'other', later, later + LEASE)).toBe(true);
      expect(await store.detectRuns.renew('r1', 'dead', later + LEASE, { done: 1, total: 2 }, later)).toBe(false);
      expect(await store.detectRuns.finish('r1', 'dead', success, later)).toBe(false);
      expect(await store.detectRuns.renew('r1', 'other', later + 2 * LEASE, { done: 1, total: 2 }, later)).toBe(true);
      expect(await store.detectRuns.get('r1')).toMatchObject({ progressDone: 1, progressTotal: 2, attempts: 2 });
    });

    it('writes the outcome once: results sealed, input dropped, lease freed', async () => {
      const store = await storeWithVault();
      await store.detectRuns.insert(run('r1', 'v1'));
      await store.detectRuns.claim('r1', 'n', NOW, NOW + LEASE);
      expect(await store.detectRuns.finish('r1', 'n', success, NOW + 5)).toBe(true);
      expect(await store.detectRuns.get('r1')).toMatchObject({
        status: 'SUCCESS',
        input: null,
        options: Buffer.from('o2'),
        output: Buffer.from('out'),
        entities: Buffer.from('ent'),
        keyVersion: 2,
        outputBytes: 3,
        wordCount: 5,
        characterCount: 30,
        progressDone: 7,
        progressTotal: 7,
        claimedBy: null,
        leaseUntil: null,
        finishedAt: NOW + 5,
      });
      expect(await store.detectRuns.finish('r1', 'n', { status: 'FAILED', message: 'x' }, NOW + 6)).toBe(false);
      expect(await store.detectRuns.claimable(NOW + 10 * LEASE, 10)).toEqual([]);

      await store.detectRuns.insert(run('r2', 'v1'));
      await store.detectRuns.claim('r2', 'n', NOW, NOW + LEASE);
      expect(
        await store.detectRuns.finish('r2', 'n', { status: 'FAILED', message: 'the file is not valid JSON' }, NOW),
      ).toBe(true);
      expect(await store.detectRuns.get('r2')).toMatchObject({
        status: 'FAILED',
        message: 'the file is not valid JSON',
        input: null,
      });
    });

    it('a released run is waiting again at once', async () => {
      const store = await storeWithVault();
      await store.detectRuns.insert(run('r1', 'v1'));
      await store.detectRuns.claim('r1', 'n', NOW, NOW + LEASE);
      await store.detectRuns.release('r1', 'n', NOW + 1);
      expect(await store.detectRuns.claimable(NOW + 2, 10)).toEqual(['r1']);
    });

    it('deletes finished runs past their retention, and runs of a deleted vault', async () => {
      const store = await storeWithVault();
      await store.detectRuns.insert(run('old', 'v1', { status: 'SUCCESS', finishedAt: NOW - 10, input: null }));
      await store.detectRuns.insert(run('new', 'v1', { status: 'SUCCESS', finishedAt: NOW + 10, input: null }));
      await store.detectRuns.insert(run('running', 'v1'));
      expect(await store.detectRuns.deleteFinishedBefore(NOW)).toBe(1);
      expect(await store.detectRuns.get('old')).toBeUndefined();
      expect(await store.detectRuns.get('new')).toBeDefined();
      await store.vaults.delete('v1');
      expect(await store.detectRuns.get('new')).toBeUndefined();
      expect(await store.detectRuns.get('running')).toBeUndefined();
    });

    it('finds runs under older key versions and re-seals only a run still as read', async () => {
      const store = await storeWithVault();
      await store.detectRuns.insert(run('r1', 'v1'));
      await store.detectRuns.insert(run('r2', 'v1', { keyVersion: 2 }));
      expect(await store.detectRuns.countBelowKeyVersion('v1', 2)).toBe(1);
      const [below] = await store.detectRuns.belowKeyVersion('v1', 2, 10);
      expect(below?.id).toBe('r1');
      const sealed = { options: Buffer.from('o'), input: Buffer.from('i'), output: null, entities: null };
      // The run finished meanwhile: the re-seal of what was read must not overwrite its results.
      await store.detectRuns.claim('r1', 'n', NOW, NOW + LEASE);
      await store.detectRuns.finish('r1', 'n', { status: 'FAILED', message: 'm' }, NOW);
      expect(await store.detectRuns.reseal(below as DetectRunRow, sealed, 2)).toBe(false);
      const [again] = await store.detectRuns.belowKeyVersion('v1', 2, 10);
      expect(await store.detectRuns.reseal(again as DetectRunRow, sealed, 2)).toBe(true);
      expect(await store.detectRuns.countBelowKeyVersion('v1', 2)).toBe(0);
      expect(await store.detectRuns.get('r1')).toMatchObject({
        keyVersion: 2,
        options: Buffer.from('o'),
        status: 'FAILED',
      });
    });
  });
}
