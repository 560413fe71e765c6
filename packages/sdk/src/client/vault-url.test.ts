import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Skyflow } from './skyflow.js';
import { CLUSTER_ID, Env, normaliseVaultUrl, skyflowVaultUrl } from './vault-url.js';

const label = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/);

describe('Skyflow vault URLs from clusterId and env', () => {
  it('follow Skyflow’s rule for each environment', () => {
    expect(skyflowVaultUrl('ab12cd', Env.PROD)).toBe('https://ab12cd.vault.skyflowapis.com');
    expect(skyflowVaultUrl('ab12cd', Env.SANDBOX)).toBe('https://ab12cd.vault.skyflowapis-preview.com');
    expect(skyflowVaultUrl('ab12cd', Env.DEV)).toBe('https://ab12cd.vault.skyflowapis.dev');
    expect(skyflowVaultUrl('ab12cd', Env.STAGE)).toBe('https://ab12cd.vault.skyflowapis.tech');
    expect(skyflowVaultUrl('ab12cd')).toBe('https://ab12cd.vault.skyflowapis.com');
  });

  it('always name an https host under the environment’s domain, with the cluster ID as its first label', () => {
    fc.assert(
      fc.property(label, fc.constantFrom(...Object.values(Env)), (clusterId, env) => {
        const url = new URL(skyflowVaultUrl(clusterId, env));
        expect(url.protocol).toBe('https:');
        expect(url.pathname).toBe('/');
        expect(url.port).toBe('');
        expect(url.hostname.split('.')[0]).toBe(clusterId.toLowerCase());
        expect(
          url.hostname.endsWith('.skyflowapis.com') || /\.skyflowapis(-preview\.com|\.dev|\.tech)$/.test(url.hostname),
        ).toBe(true);
      }),
    );
  });

  it('refuse any cluster ID that could change the host (dots, slashes, @, ports, spaces…)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 0, maxLength: 70 }).filter((s) => !CLUSTER_ID.test(s)),
        (clusterId) => {
          expect(() => skyflowVaultUrl(clusterId)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
        },
      ),
    );
    for (const evil of ['evil.com/', 'a@evil.com', 'x:443', 'a.b', '-ab', 'ab-', '', 'a b', 'a/b']) {
      expect(() => skyflowVaultUrl(evil)).toThrow();
    }
  });

  it('are what a client built with clusterId calls', () => {
    const client = new Skyflow({ vaultConfigs: [{ vaultId: 'v1', clusterId: 'abc123', env: Env.SANDBOX }] });
    expect(client.getVaultURL('v1')).toBe('https://abc123.vault.skyflowapis-preview.com');
  });
});

describe('free vault URLs', () => {
  it('keep scheme, host, port and path prefix, and drop trailing slashes', () => {
    expect(normaliseVaultUrl('http://localhost:8080/')).toBe('http://localhost:8080');
    expect(normaliseVaultUrl('https://vault.example.com/strongroom//')).toBe('https://vault.example.com/strongroom');
    expect(normaliseVaultUrl('HTTPS://Vault.Example.com')).toBe('https://vault.example.com');
  });

  it('refuse other schemes, credentials, queries and fragments', () => {
    for (const bad of [
      'ftp://x',
      'https://u:p@x',
      'https://x/?a=1',
      'https://x/#f',
      'not a url',
      'javascript:alert(1)',
    ]) {
      expect(() => normaliseVaultUrl(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });

  it('normalise idempotently', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: false, withFragments: false }), (url) => {
        const once = normaliseVaultUrl(url);
        expect(normaliseVaultUrl(once)).toBe(once);
        expect(once.endsWith('/')).toBe(false);
      }),
    );
  });
});
