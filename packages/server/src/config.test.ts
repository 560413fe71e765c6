import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, type LoadConfigOptions, loadConfig } from './config.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'strongroom-config-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

/** Always an explicit env, so the real environment never leaks in. */
const load = (options: LoadConfigOptions = {}) => loadConfig({ env: {}, cwd, ...options });

function problems(options: LoadConfigOptions): string[] {
  try {
    load(options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.name).toBe('ConfigError');
    for (const p of e.problems) expect(e.message).toContain(p);
    return e.problems;
  }
  throw new Error('expected a ConfigError');
}

function writeConfig(name: string, content: unknown): string {
  const file = path.join(cwd, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadConfig defaults', () => {
  it('listens on 127.0.0.1:8080 with data in .strongroom under the working directory', () => {
    const config = load();
    const dataDir = path.join(cwd, '.strongroom');
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: `sqlite:${path.join(dataDir, 'strongroom.db')}`,
      rootKey: { kind: 'dev-file', file: path.join(dataDir, 'root.key') },
      publicUrl: undefined,
      tokenAudiences: [],
      logLevel: 'info',
      tls: { mode: 'off' },
      demo: true,
      production: false,
      maxBodyBytes: 5 * 1024 * 1024,
      maxFileBytes: 32 * 1024 * 1024,
      fileUrlSeconds: 15 * 60,
      keyRotationGraceSeconds: 30,
      sqliteSynchronous: 'FULL',
      sqliteMmapMiB: undefined,
      authCacheSeconds: 10,
      auditLog: true,
      auditDurability: 'relaxed',
      rateLimitTokenPerIp: 600,
      rateLimitTokenPerAccount: 120,
      rateLimitDataPerPrincipal: 10_000,
      rateLimitDataPerIp: 20_000,
      detectRunRetentionSeconds: 24 * 3600,
    });
  });

  it('ignores the process environment when an env is passed', () => {
    const saved = process.env.STRONGROOM_PORT;
    process.env.STRONGROOM_PORT = '1234';
    try {
      expect(load().port).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.STRONGROOM_PORT;
      else process.env.STRONGROOM_PORT = saved;
    }
  });

  it('puts the default database and dev root key inside a configured data directory', () => {
    const config = load({ env: { STRONGROOM_DATA_DIR: 'var/vault' } });
    expect(config.dataDir).toBe(path.join(cwd, 'var/vault'));
    expect(config.databaseUrl).toBe(`sqlite:${path.join(cwd, 'var/vault/strongroom.db')}`);
    expect(config.rootKey).toEqual({ kind: 'dev-file', file: path.join(cwd, 'var/vault/root.key') });
    expect(load({ flags: { dataDir: '/abs/dir' } }).dataDir).toBe('/abs/dir');
  });
});

describe('loadConfig precedence: flags > env > config file > defaults', () => {
  it('takes each setting from the strongest source that gives it', () => {
    const file = writeConfig('strongroom.json', { port: 1000, host: 'file-host', logLevel: 'warn', demo: false });
    const config = load({
      env: { STRONGROOM_CONFIG: file, STRONGROOM_PORT: '2000', STRONGROOM_HOST: 'env-host' },
      flags: { port: 3000 },
    });
    expect(config.port).toBe(3000);
    expect(config.host).toBe('env-host');
    expect(config.logLevel).toBe('warn');
    expect(config.demo).toBe(false);
    expect(config.maxBodyBytes).toBe(5 * 1024 * 1024);
  });

  it('lets env override the config file, and the file override defaults', () => {
    const file = writeConfig('c.json', { port: 1000, authCacheSeconds: 0 });
    expect(load({ env: { STRONGROOM_CONFIG: file } }).port).toBe(1000);
    expect(load({ env: { STRONGROOM_CONFIG: file } }).authCacheSeconds).toBe(0);
    expect(load({ env: { STRONGROOM_CONFIG: file, STRONGROOM_PORT: '2000' } }).port).toBe(2000);
  });

  it('treats empty environment variables and undefined flags as not given', () => {
    const file = writeConfig('c.json', { port: 1000 });
    const config = load({ env: { STRONGROOM_CONFIG: file, STRONGROOM_PORT: '' }, flags: { port: undefined } });
    expect(config.port).toBe(1000);
  });

  it('reads the config file named by --config over STRONGROOM_CONFIG, relative to the working directory', () => {
    writeConfig('from-env.json', { port: 1111 });
    writeConfig('conf/from-flag.json', { port: 2222 });
    expect(load({ env: { STRONGROOM_CONFIG: 'from-env.json' } }).port).toBe(1111);
    expect(
      load({ env: { STRONGROOM_CONFIG: 'from-env.json' }, flags: { configFile: 'conf/from-flag.json' } }).port,
    ).toBe(2222);
  });
});

describe('loadConfig values', () => {
  it('parses numbers, booleans and lists from environment strings', () => {
    const config = load({
      env: {
        STRONGROOM_PORT: '0',
        STRONGROOM_DEMO: 'no',
        STRONGROOM_TOKEN_AUDIENCES: ' https://a.example/token , ,https://b.example/token,',
        STRONGROOM_MAX_BODY_BYTES: '1024',
        STRONGROOM_SQLITE_SYNCHRONOUS: 'NORMAL',
        STRONGROOM_SQLITE_MMAP_MIB: '0',
        STRONGROOM_AUTH_CACHE_SECONDS: '3600',
        STRONGROOM_LOG_LEVEL: 'silent',
      },
    });
    expect(config).toMatchObject({
      port: 0,
      demo: false,
      tokenAudiences: ['https://a.example/token', 'https://b.example/token'],
      maxBodyBytes: 1024,
      sqliteSynchronous: 'NORMAL',
      sqliteMmapMiB: 0,
      authCacheSeconds: 3600,
      logLevel: 'silent',
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads STRONGROOM_DEMO=%s as %s', (value, expected) => {
    expect(load({ env: { STRONGROOM_DEMO: value } }).demo).toBe(expected);
  });

  it('keeps sqlite::memory: and PostgreSQL URLs as given, and resolves relative sqlite paths', () => {
    expect(load({ env: { STRONGROOM_DATABASE_URL: 'sqlite::memory:' } }).databaseUrl).toBe('sqlite::memory:');
    expect(load({ env: { STRONGROOM_DATABASE_URL: 'sqlite:db/x.db' } }).databaseUrl).toBe(
      `sqlite:${path.join(cwd, 'db/x.db')}`,
    );
    const pg = 'postgres://strongroom@db.internal:5432/vault?schema=s';
    expect(load({ flags: { databaseUrl: pg } }).databaseUrl).toBe(pg);
    expect(load({ flags: { databaseUrl: 'postgresql://h/db' } }).databaseUrl).toBe('postgresql://h/db');
  });

  it.each([
    ['mysql://h/db', /databaseUrl must start with/],
    ['sqlite:', /must name a database file/],
  ])('rejects the database URL %s', (url, message) => {
    expect(problems({ flags: { databaseUrl: url } }).join('\n')).toMatch(message);
  });
});

describe('loadConfig errors name what is wrong', () => {
  it.each([
    ['STRONGROOM_PORT', 'abc'],
    ['STRONGROOM_PORT', '70000'],
    ['STRONGROOM_PORT', '-1'],
    ['STRONGROOM_PORT', '80.5'],
    ['STRONGROOM_LOG_LEVEL', 'loud'],
    ['STRONGROOM_DEMO', 'maybe'],
    ['STRONGROOM_TLS_SELF_SIGNED', 'TRUE'],
    ['STRONGROOM_MAX_BODY_BYTES', '10'],
    ['STRONGROOM_SQLITE_SYNCHRONOUS', 'OFF'],
    ['STRONGROOM_SQLITE_MMAP_MIB', '-1'],
    ['STRONGROOM_SQLITE_MMAP_MIB', '1.5'],
    ['STRONGROOM_AUTH_CACHE_SECONDS', '3601'],
  ])('names %s=%s', (name, value) => {
    const found = problems({ env: { [name]: value } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^environment ${name}: `));
  });

  it('says what is expected, not just "Invalid input"', () => {
    expect(problems({ env: { STRONGROOM_PORT: 'abc' } })).toEqual([
      'environment STRONGROOM_PORT: must be a whole number',
    ]);
    expect(problems({ env: { STRONGROOM_PORT: '80.5' } })).toEqual([
      'environment STRONGROOM_PORT: must be a whole number',
    ]);
    expect(problems({ flags: { port: 80.5 } })).toEqual(['option port: must be a whole number']);
    expect(problems({ env: { STRONGROOM_DEMO: 'maybe' } })).toEqual([
      'environment STRONGROOM_DEMO: must be true or false (also 1/0, yes/no)',
    ]);
    expect(problems({ env: { STRONGROOM_PORT: '70000' } })[0]).toMatch(/65535/);
  });

  it('names the option for a bad flag', () => {
    expect(problems({ flags: { port: 70000 } })).toEqual([expect.stringMatching(/^option port: /)]);
    expect(problems({ flags: { logLevel: 'loud' as never } })).toEqual([expect.stringMatching(/^option logLevel: /)]);
  });

  it('names the file and the setting for a bad config-file value', () => {
    const file = writeConfig('bad.json', { port: 'eighty' });
    expect(problems({ flags: { configFile: file } })).toEqual([`config file ${file}: port: must be a whole number`]);
  });

  it('rejects unknown keys in the config file, naming them', () => {
    const file = writeConfig('typo.json', { prot: 8080, port: 8080 });
    const found = problems({ flags: { configFile: file } });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`config file ${file}: `);
    expect(found[0]).toContain('prot');
    expect(found[0]).not.toContain('::');
  });

  it('reports a config file that is missing or not JSON', () => {
    expect(problems({ flags: { configFile: 'missing.json' } })[0]).toMatch(/^config file missing\.json: .*ENOENT/);
    writeConfig('broken.json', '{"port": 80,');
    expect(problems({ flags: { configFile: 'broken.json' } })[0]).toMatch(/^config file broken\.json: /);
  });

  it('lists every problem at once, from every source', () => {
    const file = writeConfig('bad.json', { host: '' });
    const found = problems({
      env: { STRONGROOM_CONFIG: file, STRONGROOM_PORT: 'x', NODE_ENV: 'production' },
      flags: { logLevel: 'x' as never },
    });
    expect(found).toHaveLength(4);
  });
});

describe('loadConfig root key', () => {
  it('refuses NODE_ENV=production without rootKey or rootKeyFile', () => {
    const found = problems({ env: { NODE_ENV: 'production' } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/NODE_ENV=production requires an explicit root key/);
    expect(found[0]).toContain('STRONGROOM_ROOT_KEY');
  });

  it('accepts production with an inline root key or a root key file', () => {
    const inline = load({ env: { NODE_ENV: 'production', STRONGROOM_ROOT_KEY: 'k'.repeat(43) } });
    expect(inline.production).toBe(true);
    expect(inline.rootKey).toEqual({ kind: 'inline', value: 'k'.repeat(43) });
    const file = load({ env: { NODE_ENV: 'production', STRONGROOM_ROOT_KEY_FILE: 'keys/root.key' } });
    expect(file.rootKey).toEqual({ kind: 'file', file: path.join(cwd, 'keys/root.key') });
    const fromConfig = writeConfig('c.json', { rootKeyFile: '/etc/strongroom/root.key' });
    expect(load({ env: { NODE_ENV: 'production', STRONGROOM_CONFIG: fromConfig } }).rootKey).toEqual({
      kind: 'file',
      file: '/etc/strongroom/root.key',
    });
  });

  it('does not treat other NODE_ENV values as production', () => {
    expect(load({ env: { NODE_ENV: 'development' } }).production).toBe(false);
    expect(load({ env: { NODE_ENV: 'Production' } }).production).toBe(false);
  });

  it('refuses both rootKey and rootKeyFile from the same source', () => {
    expect(problems({ env: { STRONGROOM_ROOT_KEY: 'k', STRONGROOM_ROOT_KEY_FILE: 'f' } })).toEqual([
      'give either rootKey or rootKeyFile, not both',
    ]);
  });

  it('lets a stronger source replace the root key a weaker one chose, whichever form it takes', () => {
    const file = writeConfig('c.json', { rootKeyFile: '/etc/strongroom/root.key' });
    expect(load({ env: { STRONGROOM_CONFIG: file, STRONGROOM_ROOT_KEY: 'k' } }).rootKey).toEqual({
      kind: 'inline',
      value: 'k',
    });
    expect(load({ env: { STRONGROOM_ROOT_KEY: 'k' }, flags: { rootKeyFile: 'r.key' } }).rootKey).toEqual({
      kind: 'file',
      file: path.join(cwd, 'r.key'),
    });
  });
});

describe('loadConfig demo vault', () => {
  it('creates the demo vault unless told not to, in production too', () => {
    expect(load().demo).toBe(true);
    const production = { NODE_ENV: 'production', STRONGROOM_ROOT_KEY: 'k' };
    expect(load({ env: production }).demo).toBe(true);
    expect(load({ env: { ...production, STRONGROOM_DEMO: 'false' } }).demo).toBe(false);
    expect(load({ flags: { demo: false } }).demo).toBe(false);
  });
});

describe('loadConfig TLS', () => {
  it('serves a self-signed certificate on request', () => {
    expect(load({ env: { STRONGROOM_TLS_SELF_SIGNED: 'true' } }).tls).toEqual({ mode: 'self-signed' });
    expect(load({ env: { STRONGROOM_TLS_SELF_SIGNED: 'false' } }).tls).toEqual({ mode: 'off' });
  });

  it('serves certificate and key files, resolved against the working directory', () => {
    expect(load({ flags: { tlsCert: 'tls/cert.pem', tlsKey: '/etc/tls/key.pem' } }).tls).toEqual({
      mode: 'files',
      certFile: path.join(cwd, 'tls/cert.pem'),
      keyFile: '/etc/tls/key.pem',
    });
  });

  it('refuses self-signed together with certificate files', () => {
    for (const files of [{ tlsCert: 'c.pem', tlsKey: 'k.pem' }, { tlsCert: 'c.pem' }, { tlsKey: 'k.pem' }]) {
      expect(problems({ flags: { tlsSelfSigned: true, ...files } })).toEqual([
        '--tls self-signed cannot be combined with --tls-cert/--tls-key',
      ]);
    }
  });

  it('lets a stronger source switch between self-signed and certificate files', () => {
    const file = writeConfig('c.json', { tlsCert: 'c.pem', tlsKey: 'k.pem' });
    expect(load({ env: { STRONGROOM_CONFIG: file }, flags: { tlsSelfSigned: true } }).tls).toEqual({
      mode: 'self-signed',
    });
    const selfSigned = writeConfig('s.json', { tlsSelfSigned: true });
    expect(
      load({ env: { STRONGROOM_CONFIG: selfSigned }, flags: { tlsCert: 'a.pem', tlsKey: 'b.pem' } }).tls.mode,
    ).toBe('files');
  });

  it('refuses a certificate without its key, and a key without its certificate', () => {
    expect(problems({ flags: { tlsCert: 'c.pem' } })).toEqual(['--tls-cert and --tls-key must be given together']);
    expect(problems({ env: { STRONGROOM_TLS_KEY: 'k.pem' } })).toEqual([
      '--tls-cert and --tls-key must be given together',
    ]);
  });
});

describe('loadConfig publicUrl', () => {
  it.each([
    ['https://vault.example.com/', 'https://vault.example.com'],
    ['https://vault.example.com', 'https://vault.example.com'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['https://example.com/vault///', 'https://example.com/vault'],
    ['HTTPS://Example.COM:443/Vault/', 'https://example.com/Vault'],
    ['https://example.com:8443/a/b/', 'https://example.com:8443/a/b'],
  ])('normalises %s to %s', (input, expected) => {
    expect(load({ env: { STRONGROOM_PUBLIC_URL: input } }).publicUrl).toBe(expected);
  });

  it.each(['vault.example.com', 'ftp://example.com', '/relative/path', 'not a url', 'javascript:alert(1)'])(
    'rejects %s',
    (input) => {
      expect(problems({ flags: { publicUrl: input } })).toEqual([
        'publicUrl must be an absolute http(s) URL such as https://vault.example.com',
      ]);
    },
  );

  it.each(['https://example.com/?x=1', 'https://example.com/#frag', 'https://user:secret-pw@example.com/'])(
    'rejects %s instead of silently dropping part of it',
    (input) => {
      const found = problems({ flags: { publicUrl: input } });
      expect(found).toEqual(['publicUrl must be a base URL without credentials, query or fragment']);
      expect(found.join()).not.toContain('secret-pw');
    },
  );
});
