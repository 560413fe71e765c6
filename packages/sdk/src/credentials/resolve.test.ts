import { describe, expect, it } from 'vitest';
import { resolveCredentials } from './resolve.js';
import { credentialsKind } from './validate.js';

const KEY = `sky-abcde-${'0'.repeat(32)}`;

describe('resolveCredentials', () => {
  it('prefers the config’s credentials, then the client’s, then SKYFLOW_CREDENTIALS', () => {
    const own = { apiKey: KEY };
    const clientWide = { token: 'client' };
    expect(resolveCredentials(own, clientWide, () => '{"env":1}')).toEqual({ credentials: own, source: 'config' });
    expect(resolveCredentials(undefined, clientWide, () => '{"env":1}')).toEqual({
      credentials: clientWide,
      source: 'client',
    });
    expect(resolveCredentials(undefined, undefined, () => '{"env":1}')).toEqual({
      credentials: { credentialsString: '{"env":1}' },
      source: 'environment',
    });
  });

  it('reads SKYFLOW_CREDENTIALS from the environment by default, as the same object while it is unchanged', () => {
    const before = process.env.SKYFLOW_CREDENTIALS;
    try {
      process.env.SKYFLOW_CREDENTIALS = '{"clientID":"x"}';
      const a = resolveCredentials(undefined, undefined);
      const b = resolveCredentials(undefined, undefined);
      expect(a.credentials).toEqual({ credentialsString: '{"clientID":"x"}' });
      expect(a.credentials).toBe(b.credentials);
      process.env.SKYFLOW_CREDENTIALS = '{"clientID":"y"}';
      expect(resolveCredentials(undefined, undefined).credentials).not.toBe(a.credentials);
    } finally {
      if (before === undefined) delete process.env.SKYFLOW_CREDENTIALS;
      else process.env.SKYFLOW_CREDENTIALS = before;
    }
  });

  it('fails with INVALID_CREDENTIALS when there are none anywhere', () => {
    expect(() => resolveCredentials(undefined, undefined, () => undefined)).toThrow(
      expect.objectContaining({ code: 'INVALID_CREDENTIALS' }),
    );
  });
});

describe('credentialsKind', () => {
  it('accepts exactly one kind', () => {
    expect(credentialsKind({ apiKey: KEY })).toBe('apiKey');
    expect(credentialsKind({ token: 't' })).toBe('token');
    expect(credentialsKind({ path: 'p', roles: ['r'], context: { user: 'u' }, tokenUri: 'https://x' })).toBe('path');
    expect(credentialsKind({ credentialsString: '{}' })).toBe('credentialsString');
    expect(credentialsKind({ getBearerToken: async () => 't' })).toBe('getBearerToken');
  });

  it('rejects none, several kinds, empty values, bad API keys and misplaced options, naming fields only', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /need one of/],
      [{ apiKey: KEY, token: 'secret-token' }, /exactly one kind; got apiKey and token/],
      [{ token: '' }, /token must be a non-empty string/],
      [{ apiKey: 'sky-short-secret' }, /not in the API key format/],
      [{ apiKey: KEY, roles: ['r'] }, /only apply to path or credentialsString/],
      [{ path: 'p', roles: 'r' }, /roles must be a list/],
      [{ path: 'p', context: { 'bad key': 1 } }, /ctx key "bad key" is invalid/],
      [{ getBearerToken: 'not a function' }, /getBearerToken must be a function/],
      [null, /must be an object/],
    ];
    for (const [credentials, message] of cases) {
      let error: Error | undefined;
      try {
        credentialsKind(credentials);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('secret');
    }
  });
});
