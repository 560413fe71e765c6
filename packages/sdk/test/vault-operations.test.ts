import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteRequest,
  DetokenizeOptions,
  DetokenizeRequest,
  FileUploadOptions,
  FileUploadRequest,
  GetColumnRequest,
  GetOptions,
  GetRequest,
  InsertOptions,
  InsertRequest,
  LogLevel,
  OrderByEnum,
  QueryRequest,
  RedactionType,
  Skyflow,
  SkyflowError,
  TokenizeRequest,
  TokenMode,
  UpdateOptions,
  UpdateRequest,
} from '../src/index.js';
import { type SdkFixture, startSdkFixture } from './support/vault-fixture.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('vault operations against a real Strongroom server', () => {
  let f: SdkFixture;
  let client: Skyflow;
  const vault = () => client.vault();

  beforeAll(async () => {
    f = await startSdkFixture();
    client = new Skyflow({
      vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url }],
      skyflowCredentials: { path: f.owner.credentialsPath },
      // Failures are expected here; their log lines are tested in logging.test.ts.
      logLevel: LogLevel.OFF,
    });
  });
  afterAll(() => f?.close());

  describe('insert', () => {
    it('stores records and returns their skyflow IDs in request order', async () => {
      const res = await vault().insert(
        new InsertRequest('persons', [
          { name: 'Ada Lovelace', email: 'ada@example.com', age: 36 },
          { name: 'Alan Turing', email: 'alan@example.com', age: 41 },
        ]),
      );
      expect(res.errors).toEqual([]);
      expect(res.insertedFields).toHaveLength(2);
      expect(res.insertedFields.map((r) => r.requestIndex)).toEqual([0, 1]);
      for (const record of res.insertedFields) expect(record.skyflowId).toMatch(UUID);
      expect(res.insertedFields[0]).not.toHaveProperty('name');
    });

    it('returns a token per tokenized column with returnTokens', async () => {
      const res = await vault().insert(
        new InsertRequest('persons', [{ name: 'Grace Hopper', email: 'grace@example.com', ssn: '123-45-6789' }]),
        new InsertOptions().setReturnTokens(true),
      );
      const [record] = res.insertedFields;
      expect(record?.name).toMatch(UUID);
      expect(record?.email).toMatch(UUID);
      expect(record?.ssn).toMatch(/^[0-9]{3}-[0-9]{2}-[0-9]{4}$/);
      expect(record?.ssn).not.toBe('123-45-6789');
    });

    it('upserts on a unique column: the same record is updated, not duplicated', async () => {
      const first = await vault().insert(new InsertRequest('persons', [{ email: 'edsger@example.com', age: 50 }]), {
        upsertColumn: 'email',
      });
      const second = await vault().insert(new InsertRequest('persons', [{ email: 'edsger@example.com', age: 51 }]), {
        upsertColumn: 'email',
      });
      expect(second.insertedFields[0]?.skyflowId).toBe(first.insertedFields[0]?.skyflowId);
      const got = await vault().get(new GetColumnRequest('persons', 'email', ['edsger@example.com']), {
        redactionType: RedactionType.PLAIN_TEXT,
      });
      expect(got.data).toHaveLength(1);
      expect(got.data[0]?.age).toBe(51);
    });

    it('with continueOnError returns stored records and failed ones as typed lists, not a thrown error', async () => {
      const res = await vault().insert(
        new InsertRequest('persons', [
          { name: 'Barbara Liskov', ssn: '111-22-3333' },
          { name: 'Bad SSN', ssn: 'not an ssn' },
          { name: 'Donald Knuth', nope: 'no such column' },
          { name: 'Ken Thompson' },
        ]),
        new InsertOptions().setContinueOnError(true).setReturnTokens(true),
      );
      expect(res.insertedFields.map((r) => r.requestIndex)).toEqual([0, 3]);
      expect(res.insertedFields[0]?.name).toMatch(UUID);
      expect(res.errors.map((e) => e.requestIndex)).toEqual([1, 2]);
      for (const error of res.errors) {
        expect(error).toMatchObject({
          httpCode: 400,
          requestId: expect.stringMatching(UUID),
          error: expect.any(String),
        });
        expect(error.error).not.toContain('not an ssn');
      }
      expect(res.errors[1]?.error).toMatch(/nope/);
    });

    it('without continueOnError fails as a whole with a SkyflowError', async () => {
      const error = await vault()
        .insert(new InsertRequest('persons', [{ name: 'ok' }, { name: 'x', ssn: 'bad' }]))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SkyflowError);
      expect(error).toMatchObject({ code: 'API_ERROR', httpCode: 400, grpcCode: 3, httpStatus: 'Bad Request' });
      expect((error as SkyflowError).requestId).toMatch(UUID);
    });

    it('stores given tokens with byot (tokenMode ENABLE)', async () => {
      const token = '9b2e4c1a-0000-4000-8000-000000000001';
      const res = await vault().insert(new InsertRequest('persons', [{ name: 'Frances Allen' }]), {
        tokenMode: TokenMode.ENABLE,
        tokens: [{ name: token }],
        returnTokens: true,
      });
      expect(res.insertedFields[0]?.name).toBe(token);
      const back = await vault().detokenize(
        new DetokenizeRequest([{ token, redactionType: RedactionType.PLAIN_TEXT }]),
      );
      expect(back.detokenizedFields[0]?.value).toBe('Frances Allen');
    });

    it('refuses tokens when byot is DISABLE', async () => {
      await expect(
        vault().insert(new InsertRequest('persons', [{ name: 'x' }]), {
          tokenMode: TokenMode.DISABLE,
          tokens: [{ name: '9b2e4c1a-0000-4000-8000-000000000002' }],
        }),
      ).rejects.toMatchObject({ httpCode: 400 });
    });

    it('sends homogeneous inserts, and the vault checks them', async () => {
      const ok = await vault().insert(new InsertRequest('persons', [{ name: 'H1' }, { name: 'H2' }]), {
        homogeneous: true,
      });
      expect(ok.insertedFields).toHaveLength(2);
      await expect(
        vault().insert(new InsertRequest('persons', [{ name: 'H3' }, { age: 3 }]), { homogeneous: true }),
      ).rejects.toMatchObject({ httpCode: 400, message: expect.stringMatching(/homogeneous/) });
    });
  });

  describe('get', () => {
    let ids: string[];
    beforeAll(async () => {
      const res = await vault().insert(
        new InsertRequest('persons', [
          { name: 'Margaret Hamilton', email: 'margaret@example.com', ssn: '222-33-4444', age: 33 },
          { name: 'John Backus', email: 'john@example.com', ssn: '555-66-7777', age: 29 },
        ]),
      );
      ids = res.insertedFields.map((r) => r.skyflowId);
    });

    it('reads records by skyflow ID with skyflowId first', async () => {
      const res = await vault().get(
        new GetRequest('persons', ids),
        new GetOptions().setRedactionType(RedactionType.PLAIN_TEXT),
      );
      expect(res.errors).toEqual([]);
      expect(res.data.map((r) => r.skyflowId)).toEqual(ids);
      expect(res.data[0]).toMatchObject({ name: 'Margaret Hamilton', ssn: '222-33-4444', age: 33 });
      expect(res.data[0]).not.toHaveProperty('skyflow_id');
      expect(Object.keys(res.data[0] ?? {})[0]).toBe('skyflowId');
    });

    it('applies redaction: the column default, MASKED and REDACTED', async () => {
      const [byDefault] = (await vault().get(new GetRequest('persons', [ids[0] as string]))).data;
      expect(byDefault).toMatchObject({ name: 'M***on', ssn: 'XXX-XX-4444', age: 33 });
      const [masked] = (
        await vault().get(new GetRequest('persons', [ids[0] as string]), { redactionType: RedactionType.MASKED })
      ).data;
      expect(masked?.ssn).toBe('XXX-XX-4444');
      const [redacted] = (
        await vault().get(new GetRequest('persons', [ids[0] as string]), { redactionType: RedactionType.REDACTED })
      ).data;
      expect(redacted?.name).not.toContain('Margaret');
      expect(redacted?.email).not.toContain('margaret');
    });

    it('returns tokens instead of values with returnTokens', async () => {
      const [record] = (await vault().get(new GetRequest('persons', [ids[1] as string]), { returnTokens: true })).data;
      expect(record?.name).toMatch(UUID);
      expect(record?.ssn).not.toBe('555-66-7777');
      const back = await vault().detokenize(
        new DetokenizeRequest([{ token: record?.name as string, redactionType: RedactionType.PLAIN_TEXT }]),
      );
      expect(back.detokenizedFields[0]?.value).toBe('John Backus');
    });

    it('limits columns with fields', async () => {
      const [record] = (
        await vault().get(new GetRequest('persons', [ids[0] as string]), {
          fields: ['age'],
          redactionType: RedactionType.PLAIN_TEXT,
        })
      ).data;
      expect(record).toEqual({ skyflowId: ids[0], age: 33 });
    });

    it('reads by values of a unique column', async () => {
      const res = await vault().get(
        new GetColumnRequest('persons', 'email', ['john@example.com', 'margaret@example.com']),
        {
          redactionType: RedactionType.PLAIN_TEXT,
        },
      );
      expect(res.data.map((r) => r.name).sort()).toEqual(['John Backus', 'Margaret Hamilton']);
    });

    it('pages through the table with offset, limit and orderBy', async () => {
      const first = await vault().get(new GetRequest('persons'), {
        limit: 2,
        offset: 0,
        orderBy: OrderByEnum.ASCENDING,
      });
      const second = await vault().get(new GetRequest('persons'), {
        limit: '2',
        offset: '2',
        orderBy: OrderByEnum.ASCENDING,
      });
      expect(first.data).toHaveLength(2);
      expect(second.data).toHaveLength(2);
      const all = [...first.data, ...second.data].map((r) => r.skyflowId as string);
      expect(new Set(all).size).toBe(4);
      expect([...all].sort()).toEqual(all);
    });

    it('fails with 404 when no record matches', async () => {
      await expect(
        vault().get(new GetRequest('persons', ['00000000-0000-4000-8000-000000000000'])),
      ).rejects.toMatchObject({
        code: 'API_ERROR',
        httpCode: 404,
        grpcCode: 5,
      });
    });
  });

  describe('update', () => {
    it('updates columns of one record and returns tokens of the updated columns', async () => {
      const [created] = (await vault().insert(new InsertRequest('persons', [{ name: 'Before', age: 1 }])))
        .insertedFields;
      const id = created?.skyflowId as string;
      const res = await vault().update(
        new UpdateRequest('persons', { skyflowId: id, name: 'After', age: 2 }),
        new UpdateOptions().setReturnTokens(true),
      );
      expect(res.updatedField.skyflowId).toBe(id);
      expect(res.updatedField.name).toMatch(UUID);
      const [record] = (await vault().get(new GetRequest('persons', [id]), { redactionType: RedactionType.PLAIN_TEXT }))
        .data;
      expect(record).toMatchObject({ name: 'After', age: 2 });
    });

    it('accepts skyflow_id as the record key (skyflow-node v1 and Python spelling)', async () => {
      const [created] = (await vault().insert(new InsertRequest('persons', [{ age: 5 }]))).insertedFields;
      const res = await vault().update(new UpdateRequest('persons', { skyflow_id: created?.skyflowId, age: 6 }));
      expect(res.updatedField).toEqual({ skyflowId: created?.skyflowId });
    });

    it('fails with 404 for an unknown record', async () => {
      await expect(
        vault().update(new UpdateRequest('persons', { skyflowId: '00000000-0000-4000-8000-000000000000', age: 1 })),
      ).rejects.toMatchObject({ httpCode: 404 });
    });
  });

  describe('delete', () => {
    it('deletes records and returns their IDs', async () => {
      const created = (await vault().insert(new InsertRequest('persons', [{ age: 7 }, { age: 8 }]))).insertedFields;
      const ids = created.map((r) => r.skyflowId);
      const res = await vault().delete(new DeleteRequest('persons', ids));
      expect(res.deletedIds.sort()).toEqual([...ids].sort());
      expect(res.errors).toEqual([]);
      await expect(vault().get(new GetRequest('persons', ids))).rejects.toMatchObject({ httpCode: 404 });
    });
  });

  describe('query', () => {
    it('runs a SELECT and returns rows with skyflowId and tokenizedData', async () => {
      await vault().insert(new InsertRequest('persons', [{ name: 'Query Me', age: 77 }]));
      const res = await vault().query(new QueryRequest('SELECT skyflow_id, name, age FROM persons WHERE age = 77'));
      expect(res.fields).toHaveLength(1);
      expect(res.fields[0]).toMatchObject({ skyflowId: expect.stringMatching(UUID), age: 77, tokenizedData: {} });
      expect(res.fields[0]?.name).toBe('Q***Me');
    });

    it('reports an unsupported query as a 400 SkyflowError', async () => {
      await expect(vault().query(new QueryRequest('DELETE FROM persons'))).rejects.toMatchObject({ httpCode: 400 });
    });
  });

  describe('uploadFile', () => {
    const readBack = async (id: string) => {
      const [record] = (
        await vault().get(new GetRequest('persons', [id]), {
          downloadUrl: true,
          fields: ['photo'],
          redactionType: RedactionType.PLAIN_TEXT,
        })
      ).data;
      const res = await fetch(record?.photo as string);
      return {
        text: await res.text(),
        type: res.headers.get('content-type'),
        disposition: res.headers.get('content-disposition'),
      };
    };

    it('uploads from a path into a new record', async () => {
      const file = path.join(f.dir, 'hello.txt');
      writeFileSync(file, 'hello from a path');
      const res = await vault().uploadFile(
        new FileUploadRequest('persons', 'photo'),
        new FileUploadOptions().setFilePath(file),
      );
      expect(res.skyflowId).toMatch(UUID);
      expect((await readBack(res.skyflowId)).text).toBe('hello from a path');
    });

    it('uploads a Buffer into an existing record, with file metadata', async () => {
      const [created] = (await vault().insert(new InsertRequest('persons', [{ age: 9 }]))).insertedFields;
      const id = created?.skyflowId as string;
      const res = await vault().uploadFile(new FileUploadRequest('persons', 'photo'), {
        skyflowId: id,
        buffer: Buffer.from('buffer bytes'),
        fileName: 'b.txt',
        contentType: 'text/plain',
        returnFileMetadata: true,
      });
      expect(res.skyflowId).toBe(id);
      expect(res.fileMetadata).toMatchObject({ fileName: 'b.txt', fileType: expect.stringMatching(/text\/plain/) });
      expect((await readBack(id)).text).toBe('buffer bytes');
    });

    it('uploads a Node stream and a web ReadableStream', async () => {
      const node = await vault().uploadFile(new FileUploadRequest('persons', 'photo'), {
        stream: Readable.from([Buffer.from('node '), Buffer.from('stream')]),
        fileName: 's.txt',
      });
      expect((await readBack(node.skyflowId)).text).toBe('node stream');
      const web = await vault().uploadFile(new FileUploadRequest('persons', 'photo'), {
        stream: new Blob(['web stream']).stream(),
        fileName: 'w.txt',
      });
      expect((await readBack(web.skyflowId)).text).toBe('web stream');
    });

    it('uploads a File (its name is kept) and a Blob, and base64', async () => {
      const file = await vault().uploadFile(new FileUploadRequest('persons', 'photo'), {
        fileObject: new File(['a file'], 'named.txt', { type: 'text/plain' }),
      });
      const back = await readBack(file.skyflowId);
      expect(back.text).toBe('a file');
      expect(back.disposition).toContain('named.txt');
      const blob = await vault().uploadFile(new FileUploadRequest('persons', 'photo'), {
        fileObject: new Blob(['a blob']),
      });
      expect((await readBack(blob.skyflowId)).text).toBe('a blob');
      const b64 = await vault().uploadFile(new FileUploadRequest('persons', 'photo'), {
        base64: Buffer.from('base64 bytes').toString('base64'),
        fileName: 'x.bin',
      });
      expect((await readBack(b64.skyflowId)).text).toBe('base64 bytes');
    });

    it('accepts skyflow-node’s legacy (table, skyflowId, columnName) request', async () => {
      const [created] = (await vault().insert(new InsertRequest('persons', [{ age: 10 }]))).insertedFields;
      const res = await vault().uploadFile(new FileUploadRequest('persons', created?.skyflowId as string, 'photo'), {
        buffer: new TextEncoder().encode('legacy'),
      });
      expect(res.skyflowId).toBe(created?.skyflowId);
    });

    it('needs exactly one file source', async () => {
      await expect(vault().uploadFile(new FileUploadRequest('persons', 'photo'), {})).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    });
  });

  describe('tokenize and detokenize', () => {
    let tokens: Record<string, string>;
    beforeAll(async () => {
      const res = await vault().insert(
        new InsertRequest('persons', [{ name: 'Ken Iverson', email: 'ken@example.com', ssn: '888-99-0000' }]),
        { returnTokens: true },
      );
      tokens = res.insertedFields[0] as unknown as Record<string, string>;
    });

    it('tokenize returns the existing deterministic token of a stored value, by column group or column', async () => {
      const res = await vault().tokenize(
        new TokenizeRequest([
          { value: 'ken@example.com', columnGroup: 'emails' },
          { value: 'ken@example.com', table: 'persons', column: 'email' },
        ]),
      );
      expect(res.tokens).toEqual([{ token: tokens.email }, { token: tokens.email }]);
    });

    it('detokenizes many tokens with per-token redaction', async () => {
      const res = await vault().detokenize(
        new DetokenizeRequest([
          { token: tokens.name as string, redactionType: RedactionType.PLAIN_TEXT },
          { token: tokens.ssn as string, redactionType: RedactionType.MASKED },
          { token: tokens.email as string },
          tokens.ssn as string,
        ]),
      );
      expect(res.errors).toEqual([]);
      expect(res.detokenizedFields).toEqual([
        { token: tokens.name, value: 'Ken Iverson', type: 'STRING' },
        { token: tokens.ssn, value: 'XXX-XX-0000', type: 'STRING' },
        { token: tokens.email, value: expect.not.stringContaining('ken@'), type: 'STRING' },
        { token: tokens.ssn, value: 'XXX-XX-0000', type: 'STRING' },
      ]);
    });

    it('with continueOnError returns unknown tokens in errors', async () => {
      const unknown = '00000000-0000-4000-8000-00000000beef';
      const res = await vault().detokenize(
        new DetokenizeRequest([
          { token: tokens.name as string, redactionType: RedactionType.PLAIN_TEXT },
          { token: unknown },
        ]),
        new DetokenizeOptions().setContinueOnError(true),
      );
      expect(res.detokenizedFields).toEqual([{ token: tokens.name, value: 'Ken Iverson', type: 'STRING' }]);
      expect(res.errors).toEqual([
        { token: unknown, error: expect.any(String), requestId: expect.stringMatching(UUID), requestIndex: 1 },
      ]);
    });

    it('without continueOnError an unknown token fails the call', async () => {
      await expect(
        vault().detokenize(new DetokenizeRequest(['00000000-0000-4000-8000-00000000beef'])),
      ).rejects.toBeInstanceOf(SkyflowError);
    });
  });

  describe('configuration at run time', () => {
    it('works with plain-object requests and options, and several vault configs', async () => {
      const second = new Skyflow({
        vaultConfigs: [
          { vaultId: 'other', vaultURL: 'http://127.0.0.1:9' },
          { vaultId: f.vaultId, vaultURL: `${f.url}/`, credentials: { apiKey: f.apiKey } },
        ],
        logLevel: LogLevel.OFF,
        retry: { baseDelayMs: 10 },
      });
      const res = await second
        .vault(f.vaultId)
        .insert({ table: 'persons', data: [{ age: 11 }] }, { returnTokens: false });
      expect(res.insertedFields[0]?.skyflowId).toMatch(UUID);
      second.removeVaultConfig('other');
      expect(second.vault().vaultId).toBe(f.vaultId);
      second.updateVaultConfig({ vaultId: f.vaultId, vaultURL: 'http://127.0.0.1:9' });
      await expect(second.vault().get(new GetRequest('persons'), { timeoutMs: 2000 })).rejects.toMatchObject({
        code: 'NETWORK_ERROR',
      });
      second.updateVaultConfig({ vaultId: f.vaultId, vaultURL: f.url });
      expect((await second.vault().get(new GetRequest('persons'), { limit: 1 })).data).toHaveLength(1);
    });
  });
});
