import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../data-api/helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DetectApi, detectVault } from './helpers.js';

/**
 * Canary values go through Detect — a de-identified file (its input, output and entity list are kept
 * for the run), text de-identified into vault tokens, and a run still waiting for its worker — and the
 * raw bytes of the SQLite database and its WAL are then searched for them (the technique of
 * test/integration/plaintext-at-rest.test.ts). The vault's name is the control.
 */

const RUN = randomBytes(5).toString('hex');
const CANARY = {
  email: `canary.${RUN}@example.com`,
  phrase: `Project${RUN}Falcon`,
  fileEmail: `file.${RUN}@example.org`,
  pendingEmail: `pending.${RUN}@example.net`,
};
const CONTROL = `detect-${RUN}-visible`;

function encodings(value: string): Buffer[] {
  const raw = Buffer.from(value, 'utf8');
  const sha = createHash('sha256').update(raw).digest();
  return [raw, Buffer.from(raw.toString('hex')), Buffer.from(raw.toString('base64')), sha];
}

function found(haystack: Buffer, needles: Record<string, string>): string[] {
  return Object.entries(needles)
    .filter(([, value]) => encodings(value).some((needle) => haystack.includes(needle)))
    .map(([name]) => name);
}

function dataDirBytes(dir: string): Buffer {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = path.join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(dir);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

describe('Detect leaves nothing in plaintext at rest (sqlite)', () => {
  let t: TestServer;
  const secrets: Record<string, string> = { ...CANARY };

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    const api = new DetectApi(t, await detectVault(t, CONTROL));
    const d = await api.deidentify(`Mail ${CANARY.email} about ${CANARY.phrase}`, {
      token_type: { default: 'vault_token' },
      restrict_regex: [CANARY.phrase],
    });
    expectOk(d);
    const file = `name,email\nJane Doe,${CANARY.fileEmail}\n`;
    const { output, entities } = await api.deidentifyFile('file/spreadsheet', file, 'csv', {
      token_type: { default: 'vault_token' },
    });
    expect(entities.map((e: { value: string }) => e.value)).toContain(CANARY.fileEmail);
    expect(output.toString()).not.toContain(CANARY.fileEmail);
    // A run the worker has not done yet: its input is at rest too.
    await t.server.services.detectWorker.stop();
    expectOk(await api.startRun('file/text', `write to ${CANARY.pendingEmail}`, 'txt'));
    for (const [i, e] of (d.body.entities as { token: string }[]).entries()) secrets[`token:${i}`] = e.token;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the database and its WAL hold none of them while the server runs', () => {
    const bytes = dataDirBytes(t.dataDir);
    expect(found(bytes, { control: CONTROL })).toEqual(['control']);
    expect(found(bytes, secrets)).toEqual([]);
  });

  it('nor after the server has stopped and checkpointed the WAL', async () => {
    await t.stop();
    const bytes = dataDirBytes(t.dataDir);
    expect(found(bytes, { control: CONTROL })).toEqual(['control']);
    expect(found(bytes, secrets)).toEqual([]);
  });

  it('nor do the server’s logs', () => {
    expect(found(Buffer.from(t.logs()), secrets)).toEqual([]);
  });
});
