import { describe, expect, it } from 'vitest';
import { SkyflowError } from '../errors/skyflow-error.js';
import { LogLevel } from '../logging/logger.js';
import { Skyflow } from './skyflow.js';
import { Env } from './vault-url.js';

const KEY = { apiKey: `sky-abcde-${'0'.repeat(32)}` };

describe('Skyflow client configuration', () => {
  it('vault() defaults to the first vault config and follows removals', () => {
    const client = new Skyflow({
      vaultConfigs: [
        { vaultId: 'first', vaultURL: 'http://localhost:8080' },
        { vaultId: 'second', clusterId: 'abc', env: Env.DEV },
      ],
    });
    expect(client.vault().vaultId).toBe('first');
    expect(client.vault('second').vaultId).toBe('second');
    client.removeVaultConfig('first');
    expect(client.vault().vaultId).toBe('second');
    expect(() => client.vault('first')).toThrow(SkyflowError);
    client.removeVaultConfig('second');
    expect(() => client.vault()).toThrow(/No vault config/);
  });

  it('takes either vaultURL or clusterId, not both or neither, and refuses duplicates', () => {
    expect(() => new Skyflow({ vaultConfigs: [{ vaultId: 'v', vaultURL: 'http://x', clusterId: 'abc' }] })).toThrow(
      /not both/,
    );
    expect(() => new Skyflow({ vaultConfigs: [{ vaultId: 'v' }] })).toThrow(/not neither/);
    expect(() => new Skyflow({ vaultConfigs: [{ vaultId: 'v', vaultURL: 'http://x', env: Env.DEV }] })).toThrow(
      /env applies/,
    );
    expect(() => new Skyflow({ vaultConfigs: [{ vaultId: '', vaultURL: 'http://x' }] })).toThrow(/vaultId/);
    const client = new Skyflow({ vaultConfigs: [{ vaultId: 'v', vaultURL: 'http://x' }] });
    expect(() => client.addVaultConfig({ vaultId: 'v', vaultURL: 'http://y' })).toThrow(/exists already/);
  });

  it('updateVaultConfig changes only the given fields, and can switch between vaultURL and clusterId', () => {
    const client = new Skyflow({ vaultConfigs: [{ vaultId: 'v', vaultURL: 'http://x:1/', credentials: KEY }] });
    client.updateVaultConfig({ vaultId: 'v', vaultURL: 'https://vault.example.com/base/' });
    expect(client.getVaultURL('v')).toBe('https://vault.example.com/base');
    expect(client.getVaultConfig('v').credentials).toBe(KEY);
    client.updateVaultConfig({ vaultId: 'v', clusterId: 'c1', env: Env.SANDBOX });
    expect(client.getVaultURL('v')).toBe('https://c1.vault.skyflowapis-preview.com');
    expect(() => client.updateVaultConfig({ vaultId: 'nope', vaultURL: 'http://x' })).toThrow(/No vault config/);
  });

  it('validates credentials when they are configured, not only when used', () => {
    expect(() => new Skyflow({ skyflowCredentials: { apiKey: 'nope' } })).toThrow(/API key format/);
    expect(
      () =>
        new Skyflow({
          vaultConfigs: [{ vaultId: 'v', vaultURL: 'http://x', credentials: { token: 't', path: 'p' } as never }],
        }),
    ).toThrow(/exactly one kind/);
    const client = new Skyflow();
    client.updateSkyflowCredentials(KEY);
    expect(client.getSkyflowCredentials()).toBe(KEY);
  });

  it('manages connection configs', () => {
    const client = new Skyflow({
      connectionConfigs: [{ connectionId: 'c', connectionUrl: 'https://gw.example.com/r' }],
    });
    client.updateConnectionConfig({ connectionId: 'c', connectionUrl: 'https://gw.example.com/s' });
    expect(client.getConnectionConfig('c').connectionUrl).toBe('https://gw.example.com/s');
    expect(() => client.addConnectionConfig({ connectionId: 'd', connectionUrl: 'ftp://x' })).toThrow(/http\(s\)/);
    client.removeConnectionConfig('c');
    expect(() => client.getConnectionConfig('c')).toThrow();
  });

  it('log level defaults to ERROR and can change at run time; unknown levels are refused', () => {
    const client = new Skyflow();
    expect(client.getLogLevel()).toBe(LogLevel.ERROR);
    client.updateLogLevel(LogLevel.DEBUG);
    expect(client.getLogLevel()).toBe(LogLevel.DEBUG);
    expect(() => client.setLogLevel('LOUD' as LogLevel)).toThrow(/logLevel/);
    expect(() => new Skyflow({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new Skyflow({ tokenRefreshMarginMs: -1 })).toThrow(/tokenRefreshMarginMs/);
  });

  it('the builder makes the same client as the constructor', () => {
    const client = Skyflow.builder()
      .addVaultConfig({ vaultId: 'v', clusterId: 'abc' })
      .addConnectionConfig({ connectionId: 'c', connectionUrl: 'https://gw.example.com' })
      .addSkyflowCredentials(KEY)
      .setLogLevel(LogLevel.WARN)
      .setTimeoutMs(5000)
      .setRetry(false)
      .setTokenRefreshMargin(1000)
      .build();
    expect(client.getVaultURL('v')).toBe('https://abc.vault.skyflowapis.com');
    expect(client.getLogLevel()).toBe(LogLevel.WARN);
    expect(client.getSkyflowCredentials()).toBe(KEY);
  });

  it('rejects malformed requests before sending anything, as INVALID_INPUT with httpCode 400', async () => {
    const client = new Skyflow({
      vaultConfigs: [{ vaultId: 'v', vaultURL: 'http://127.0.0.1:9', credentials: KEY }],
      logLevel: LogLevel.OFF,
      fetch: () => {
        throw new Error('nothing may be sent');
      },
    });
    const vault = client.vault();
    const cases: Promise<unknown>[] = [
      vault.insert({ table: 'bad table', data: [{ a: 1 }] }),
      vault.insert({ table: 't', data: [] }),
      vault.insert({ table: 't', data: [{ a: 1 }] }, { tokens: [{}, {}] }),
      vault.get({ table: 't', ids: [] }),
      vault.get({ table: 't', ids: ['x'] }, { limit: -1 }),
      vault.update({ table: 't', data: { a: 1 } }),
      vault.delete({ table: 't', ids: [''] }),
      vault.query({ query: ' ' }),
      vault.tokenize({ values: [{ value: 'x' } as never] }),
      vault.detokenize({ data: [] }),
      vault.detokenize({ data: [{ token: 't', redactionType: 'SOME' as never }] }),
    ];
    for (const pending of cases) {
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SkyflowError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', httpCode: 400, grpcCode: 3 });
      expect((error as SkyflowError).error.httpCode).toBe(400);
    }
  });
});
