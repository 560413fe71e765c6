import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectVault } from '../detect/helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { cliEnv, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

const CSV =
  'name,email,ssn\nJane Doe,jane.doe@example.com,536-22-1234\nJohn Smith,john.smith@example.org,219-09-9999\n';

describe('strongroom detect', () => {
  let t: TestServer;
  let cwd: string;
  let vaultId: string;
  const cli = (...args: string[]) =>
    runCli([...args, '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv(), timeoutMs: 60_000 });

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    cwd = tempDir();
    vaultId = await detectVault(t);
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'de-identifies a file beside itself with vault tokens, and re-identifies it back',
    async () => {
      const input = path.join(cwd, 'people.csv');
      writeFileSync(input, CSV);
      const entitiesOut = path.join(cwd, 'entities.json');
      const d = await cli(
        'detect',
        'deidentify',
        input,
        '--vault',
        vaultId,
        '--token-type',
        'vault_token',
        '--entities-out',
        entitiesOut,
      );
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).not.toMatch(/strongroom:/);
      const deidentified = path.join(cwd, 'people.deidentified.csv');
      expect(d.stdout).toMatch(
        new RegExp(
          `^De-identified file written to ${deidentified.replace(/[.]/g, '\\.')} \\(\\d+ words, \\d+ characters\\)\\.\\nEntities written to`,
        ),
      );
      const processed = readFileSync(deidentified, 'utf8');
      expect(processed.split('\n')[0]).toBe('name,email,ssn');
      expect(processed).not.toMatch(/jane\.doe@example\.com|536-22-1234/);
      const entities = JSON.parse(readFileSync(entitiesOut, 'utf8'));
      expect(entities.map((e: { value: string }) => e.value)).toEqual(
        expect.arrayContaining(['jane.doe@example.com', '536-22-1234']),
      );

      const r = await cli('detect', 'reidentify', deidentified, '--vault', vaultId);
      expect(r.code).toBe(0);
      const restored = path.join(cwd, 'people.deidentified.reidentified.csv');
      expect(r.stdout).toBe(`Re-identified file written to ${restored}.\n`);
      expect(readFileSync(restored, 'utf8')).toBe(CSV);

      const masked = path.join(cwd, 'masked.csv');
      const m = await cli(
        'detect',
        'reidentify',
        deidentified,
        '--vault',
        vaultId,
        '--out',
        masked,
        '--masked',
        'ssn',
        '--redacted',
        'email_address',
      );
      expect(m.code).toBe(0);
      expect(readFileSync(masked, 'utf8')).toBe(
        'name,email,ssn\nJane Doe,[EMAIL_ADDRESS],XXX-XX-1234\nJohn Smith,[EMAIL_ADDRESS],XXX-XX-9999\n',
      );
    },
    SPAWN_TIMEOUT,
  );

  it(
    'finds the vault when there is only one, takes --entities and --out, and reports --json',
    async () => {
      const input = path.join(cwd, 'note.txt');
      writeFileSync(input, 'Jane Doe wrote from jane@example.com');
      const out = path.join(cwd, 'clean.txt');
      const result = await cli('detect', 'deidentify', input, '--out', out, '--entities', 'email_address', '--json');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        vaultID: vaultId,
        status: 'SUCCESS',
        out,
        wordCount: 5,
        characterCount: 36,
      });
      expect(readFileSync(out, 'utf8')).toBe('Jane Doe wrote from [EMAIL_ADDRESS_1]');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'shows progress while a large file is processed, and stops waiting after --wait; detect run fetches it later',
    async () => {
      const input = path.join(cwd, 'big.txt');
      const lines = Array.from(
        { length: 30_000 },
        (_, i) => `Line ${i}: Jane Doe, jane${i % 89}@example.com, about the visit.`,
      );
      writeFileSync(input, `${lines.join('\n')}\n`);
      const waited = await cli('detect', 'deidentify', input, '--vault', vaultId, '--wait', '0');
      expect(waited.code).toBe(0);
      const match =
        /^Run (\S+) is still in progress\. Fetch its result later with: strongroom detect run \S+ --vault (\S+) --out (\S+)\n$/.exec(
          waited.stdout,
        );
      expect(match?.[2]).toBe(vaultId);
      const later = await cli(
        'detect',
        'run',
        match?.[1] as string,
        '--vault',
        vaultId,
        '--out',
        path.join(cwd, 'big.out.txt'),
      );
      expect(later.code).toBe(0);
      expect(later.stdout).toMatch(/^De-identified file written to .*big\.out\.txt/);
      expect(readFileSync(path.join(cwd, 'big.out.txt'), 'utf8')).not.toContain('@example.com');

      const followed = await cli('detect', 'deidentify', input, '--vault', vaultId);
      expect(followed.code).toBe(0);
      // Not a terminal: progress goes to stderr as lines, never to stdout.
      expect(followed.stderr).toMatch(/De-identifying big\.txt: \d+%/);
      expect(followed.stdout).toMatch(/^De-identified file written to .*big\.deidentified\.txt/);
    },
    SPAWN_TIMEOUT * 2,
  );

  it(
    'reports what it cannot do with the exit codes of the CLI',
    async () => {
      const pdf = path.join(cwd, 'scan.pdf');
      writeFileSync(pdf, '%PDF-1.7');
      const refused = await cli('detect', 'deidentify', pdf, '--vault', vaultId);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/failed \(400\): data_format "pdf" is not supported yet/);

      const docx = path.join(cwd, 'letter.docx');
      writeFileSync(docx, 'x');
      const reidentify = await cli('detect', 'reidentify', docx, '--vault', vaultId);
      expect(reidentify.code).toBe(2);
      expect(reidentify.stderr).toMatch(/re-identification takes txt, csv, json, xml files/);

      const missing = await cli('detect', 'deidentify', path.join(cwd, 'nope.txt'), '--vault', vaultId);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot read .*nope\.txt: ENOENT/);

      const badType = await cli('detect', 'deidentify', pdf, '--token-type', 'hash');
      expect(badType.code).toBe(2);

      await detectVault(t, 'second');
      const ambiguous = await cli('detect', 'deidentify', path.join(cwd, 'note.txt'));
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toMatch(/several vaults exist: pick one with --vault/);
    },
    SPAWN_TIMEOUT,
  );
});
