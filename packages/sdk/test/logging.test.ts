import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DeleteRequest,
  DetokenizeRequest,
  FileUploadRequest,
  GetColumnRequest,
  GetRequest,
  generateBearerToken,
  InsertRequest,
  type LogFields,
  type Logger,
  LogLevel,
  QueryRequest,
  RedactionType,
  Skyflow,
  TokenizeRequest,
  UpdateRequest,
} from '../src/index.js';
import { type SdkFixture, startSdkFixture } from './support/vault-fixture.js';

/** A logger that keeps every line, as the text a log shipper would see. */
function recorder() {
  const lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  const logger: Logger = { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
  return {
    logger,
    lines,
    text: () => lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n'),
  };
}

describe('logging', () => {
  let f: SdkFixture;
  beforeAll(async () => {
    f = await startSdkFixture();
  });
  afterAll(() => f?.close());

  it('never writes a record value, a token or a credential, even at DEBUG and on failures', async () => {
    const log = recorder();
    const values = ['Secret Person', 'secret.person@example.com', '987-65-4321', 'FILE-CONTENT-SECRET'];
    const { accessToken } = await generateBearerToken(f.owner.credentialsPath);
    const clients = [
      { path: f.owner.credentialsPath },
      { credentialsString: f.owner.credentialsString },
      { apiKey: f.apiKey },
      { getBearerToken: async () => accessToken },
    ].map(
      (credentials) =>
        new Skyflow({
          vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url, credentials }],
          logLevel: LogLevel.DEBUG,
          logger: log.logger,
          retry: { baseDelayMs: 1 },
        }),
    );
    const tokens: string[] = [];
    for (const [i, client] of clients.entries()) {
      const vault = client.vault();
      const email = `${i}.${values[1]}`;
      const inserted = await vault.insert(new InsertRequest('persons', [{ name: values[0], email, ssn: values[2] }]), {
        returnTokens: true,
        continueOnError: i % 2 === 0,
      });
      const record = inserted.insertedFields[0] as Record<string, string>;
      tokens.push(record.name as string, record.email as string, record.ssn as string);
      await vault.get(new GetColumnRequest('persons', 'email', [email]), { redactionType: RedactionType.PLAIN_TEXT });
      await vault.get(new GetRequest('persons', [record.skyflowId as string]), { returnTokens: true });
      await vault.detokenize(new DetokenizeRequest([record.name as string, record.ssn as string]));
      await vault.tokenize(new TokenizeRequest([{ value: email, columnGroup: 'emails' }]));
      await vault.update(new UpdateRequest('persons', { skyflowId: record.skyflowId, name: values[0] }));
      await vault.query(new QueryRequest(`SELECT name FROM persons WHERE skyflow_id = '${record.skyflowId}'`));
      await vault.uploadFile(new FileUploadRequest('persons', 'photo'), {
        skyflowId: record.skyflowId,
        buffer: new TextEncoder().encode(values[3]),
      });
      // Failures: a bad value echoed nowhere, an unknown token, a 404.
      await vault.insert(new InsertRequest('persons', [{ ssn: `bad ${values[2]}` }])).catch(() => {});
      await vault.detokenize(new DetokenizeRequest([`${values[0]}-not-a-token`])).catch(() => {});
      await vault.get(new GetColumnRequest('persons', 'email', [`missing.${email}`])).catch(() => {});
      await vault.delete(new DeleteRequest('persons', [record.skyflowId as string]));
    }
    const text = log.text();
    expect(log.lines.length).toBeGreaterThan(50);
    expect(text).toMatch(/insert succeeded/);
    expect(text).toMatch(/failed/);
    const secrets = [
      ...values,
      ...tokens,
      accessToken,
      accessToken.split('.')[2] as string,
      f.apiKey,
      f.apiKey.slice(10),
      f.owner.credentials.privateKey.split('\n')[1] as string,
      f.owner.credentials.keyID,
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('filters by level, OFF silences everything, and the level can change at run time', async () => {
    const log = recorder();
    const client = new Skyflow({
      vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url, credentials: { apiKey: f.apiKey } }],
      logLevel: LogLevel.WARN,
      logger: log.logger,
    });
    await client.vault().get(new GetRequest('persons'), { limit: 1 });
    expect(log.lines).toEqual([]);
    await client
      .vault()
      .get(new GetRequest('nosuchtable'))
      .catch(() => {});
    expect(log.lines.map((l) => l.level)).toEqual(['ERROR']);
    expect(log.lines[0]?.fields).toMatchObject({
      vaultId: f.vaultId,
      code: 'API_ERROR',
      httpCode: 404,
      requestId: expect.any(String),
    });
    client.setLogLevel(LogLevel.OFF);
    await client
      .vault()
      .get(new GetRequest('nosuchtable'))
      .catch(() => {});
    expect(log.lines).toHaveLength(1);
    client.setLogLevel(LogLevel.INFO);
    await client.vault().get(new GetRequest('persons'), { limit: 1 });
    expect(log.lines.at(-1)).toMatchObject({ level: 'INFO', message: 'get succeeded' });
    expect(client.getLogLevel()).toBe(LogLevel.INFO);
  });

  it('the default logger writes ERROR lines to the console with a prefix', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const client = new Skyflow({
        vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url, credentials: { apiKey: f.apiKey } }],
      });
      await client
        .vault()
        .get(new GetRequest('nosuchtable'))
        .catch(() => {});
      expect(spy).toHaveBeenCalledWith(
        expect.stringMatching(/^\[strongroom-sdk\] ERROR get failed \{.*"httpCode":404/),
      );
    } finally {
      spy.mockRestore();
    }
  });
});
