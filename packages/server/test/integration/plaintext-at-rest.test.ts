import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACTS_FIELDS, createVault, DataApi, luhnValid, PEOPLE_FIELDS } from '../data-api/helpers.js';
import { POSTGRES_URL, postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Proves that nothing sensitive is stored in plaintext: canary values go in through every kind of column
 * (tokenized with each token type, unique, plain-encrypted, embedded JSON, file contents and names), and
 * then the raw bytes of the store are searched for them — the SQLite database with its WAL while the
 * server runs and after it has checkpointed, and a `pg_dump` of the PostgreSQL schema. Tokens are
 * searched too (deterministic ones would otherwise give away equal values), as are unkeyed SHA-256
 * hashes of the values (a blind index must be keyed). A value stored in plaintext on purpose (the vault
 * name) is the control that shows the search sees the data at all.
 */

const RUN = randomBytes(5).toString('hex');
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

function luhnCard(): string {
  for (;;) {
    const card = `4${digits(15)}`;
    if (luhnValid(card)) return card;
  }
}

const PERSON = {
  name: `Canary Name ${RUN}`,
  email: `canary.${RUN}@example.com`,
  ssn: `${digits(3)}-${digits(2)}-${digits(4)}`,
  card: luhnCard(),
  phone: `+1 555 ${digits(7)}`,
  account: `ACCT-${RUN}-${digits(4)}`,
  code: `${digits(12)}`,
  ref: `REF-${Array.from({ length: 4 }, () => String.fromCharCode(65 + randomInt(26))).join('')}-${digits(3)}`,
  nick: `nick-${RUN}`,
  member: `member-${RUN}`,
  otp: `otp-${RUN}`,
  note: `note-${RUN}: the plain secret`,
  username: `user-${RUN}`,
  profile: { secret: `profile-${RUN}` },
};
const FILE_CONTENT = `FILE-CONTENT-${RUN}`;
const FILE_NAME = `scan-${RUN}.pdf`;
const CONTROL = `vault-${RUN}-visible`;

/** Every way a string could sit in the bytes we search: as text, hex (bytea dumps), base64, and hashed. */
function encodings(value: string): Buffer[] {
  const raw = Buffer.from(value, 'utf8');
  const sha = createHash('sha256').update(raw).digest();
  return [
    raw,
    Buffer.from(raw.toString('hex')),
    Buffer.from(raw.toString('base64')),
    sha,
    Buffer.from(sha.toString('hex')),
  ];
}

/** The needles found in `haystack`, by name. */
function found(haystack: Buffer, needles: Record<string, string>): string[] {
  return Object.entries(needles)
    .filter(([, value]) => encodings(value).some((needle) => haystack.includes(needle)))
    .map(([name]) => name);
}

/** The data directory's files (the database, its WAL and shared-memory index, and everything else). */
function dataDirBytes(dir: string): { files: string[]; bytes: Buffer } {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = path.join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(dir);
  return { files, bytes: Buffer.concat(files.map((f) => readFileSync(f))) };
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(
    `nothing in plaintext at rest (${store})`,
    () => {
      let t: TestServer;
      const secrets: Record<string, string> = {};

      beforeAll(async () => {
        t = await startTestServer({ store, config: { demo: false } });
        const vaultId = await createVault(t, CONTROL, [
          { name: 'people', fields: PEOPLE_FIELDS },
          { name: 'contacts', fields: CONTACTS_FIELDS },
        ]);
        const api = new DataApi(t, vaultId);
        // Twice the same values: deterministic tokens and unique indexes see repeats, as in real use.
        const [first, second] = await api.insertTokens('people', [
          PERSON,
          { ...PERSON, email: `second.${RUN}@example.com`, username: `user2-${RUN}` },
        ]);
        const [contact] = await api.insertTokens('contacts', [{ email: PERSON.email }]);
        const form = new FormData();
        form.append('columnName', 'photo');
        form.append('file', new Blob([FILE_CONTENT], { type: 'application/pdf' }), FILE_NAME);
        const upload = await fetch(`${t.url}/v1/vaults/${vaultId}/people/${first!.skyflow_id}/files`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await t.adminToken()}` },
          body: form,
        });
        expect(upload.status).toBe(200);
        // Tokenize and detokenize too: neither may leave a trace.
        const tokenized = await api.tokenize([{ value: PERSON.email, columnGroup: 'emails' }]);
        expect(tokenized.status).toBe(200);
        expect(await api.reveal(first!.tokens.ssn!)).toBe(PERSON.ssn);

        for (const [column, value] of Object.entries(PERSON)) {
          secrets[`value:${column}`] = typeof value === 'string' ? value : JSON.stringify(value);
        }
        secrets['value:profile.secret'] = PERSON.profile.secret;
        secrets['value:email2'] = `second.${RUN}@example.com`;
        secrets['value:username2'] = `user2-${RUN}`;
        secrets['file:content'] = FILE_CONTENT;
        secrets['file:name'] = FILE_NAME;
        for (const [i, record] of [first, second, contact].entries()) {
          for (const [column, token] of Object.entries(record!.tokens)) secrets[`token:${i}:${column}`] = token;
        }
        expect(Object.keys(first!.tokens).sort()).toEqual(
          [
            'account',
            'card',
            'code',
            'email',
            'member',
            'name',
            'nick',
            'otp',
            'phone',
            'profile',
            'ref',
            'ssn',
          ].sort(),
        );
      }, 60_000);
      afterAll(async () => {
        await t?.close();
      });

      if (store === 'sqlite') {
        it('the SQLite database and its WAL hold none of them while the server runs', () => {
          const { files, bytes } = dataDirBytes(t.dataDir);
          const wal = files.find((f) => f.endsWith('-wal'));
          expect(wal, 'the store runs in WAL mode').toBeDefined();
          expect(statSync(wal!).size).toBeGreaterThan(0);
          expect(found(bytes, { control: CONTROL })).toEqual(['control']);
          expect(found(bytes, secrets)).toEqual([]);
        });

        it('nor after the server has stopped and checkpointed the WAL into the database', async () => {
          const databaseFile = t.config.databaseUrl.slice('sqlite:'.length);
          await t.stop();
          expect(existsSync(databaseFile)).toBe(true);
          const { bytes } = dataDirBytes(t.dataDir);
          expect(found(readFileSync(databaseFile), { control: CONTROL })).toEqual(['control']);
          expect(found(bytes, secrets)).toEqual([]);
        });
      } else {
        it('a pg_dump of the store’s schema holds none of them', async () => {
          const schema = new URL(t.config.databaseUrl).searchParams.get('schema');
          expect(schema).toMatch(/^t_/);
          const { stdout } = await promisify(execFile)(
            'pg_dump',
            ['--dbname', POSTGRES_URL, '--schema', schema!, '--no-owner'],
            { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' },
          );
          const dump = stdout as unknown as Buffer;
          expect(found(dump, { control: CONTROL })).toEqual(['control']);
          expect(found(dump, secrets)).toEqual([]);
        });
      }

      it('the server’s logs hold none of them', () => {
        const logs = Buffer.from(t.logs());
        expect(logs.length).toBeGreaterThan(0);
        expect(found(logs, secrets)).toEqual([]);
      });
    },
  );
}
