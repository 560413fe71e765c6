import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliEnv,
  freePort,
  JWT_PATTERN,
  killChildren,
  removeTempDirs,
  requestJson,
  runCli,
  type ServeProcess,
  SPAWN_TIMEOUT,
  startServe,
  tempDir,
} from './helpers.js';

afterAll(killChildren);
afterAll(removeTempDirs);

async function makeCertificate(commonName: string, hosts: string[]) {
  return generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  });
}

describe('strongroom serve --tls self-signed', () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  let serve: ServeProcess;
  let certFile: string;

  beforeAll(async () => {
    cwd = tempDir();
    env = cliEnv();
    port = await freePort();
    serve = await startServe(['--port', String(port), '--tls', 'self-signed'], { cwd, env });
    certFile = /TLS certificate \(self-signed\): (\S+)/.exec(serve.stderr())?.[1] as string;
  }, SPAWN_TIMEOUT);

  afterAll(async () => {
    await serve?.stop();
  });

  it('serves HTTPS and prints the path of the certificate it keeps in the data dir', async () => {
    expect(serve.url).toBe(`https://127.0.0.1:${port}`);
    expect(certFile).toBe(path.join(cwd, '.strongroom', 'tls', 'self-signed-cert.pem'));
    const cert = new X509Certificate(readFileSync(certFile));
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(statSync(path.join(cwd, '.strongroom', 'tls', 'self-signed-key.pem')).mode & 0o777).toBe(0o600);
    expect(serve.stderr()).toContain(`export NODE_EXTRA_CA_CERTS=${certFile}`);
    expect(serve.stderr()).toContain(`--ca ${certFile})`);
    expect(serve.stderr()).toContain(`curl -s --cacert ${certFile} -X POST https://127.0.0.1:${port}/v1/vaults/`);

    const trusted = await requestJson(`${serve.url}/readyz`, { ca: readFileSync(certFile) });
    expect(trusted.status).toBe(200);
    expect(trusted.peerFingerprint).toBe(new X509Certificate(readFileSync(certFile)).fingerprint256);
    await expect(requestJson(`${serve.url}/readyz`)).rejects.toThrow(/self-signed certificate/);
  });

  it('writes credentials whose tokenURI is https', () => {
    const credentials = JSON.parse(readFileSync(path.join(cwd, '.strongroom', 'admin-credentials.json'), 'utf8'));
    expect(credentials.tokenURI).toBe(`https://127.0.0.1:${port}/v1/auth/sa/oauth/token`);
  });

  it(
    'the CLI trusting the certificate (--ca, $STRONGROOM_CA_FILE or NODE_EXTRA_CA_CERTS) gets a working token',
    async () => {
      const withCa = await runCli(['token', '--ca', certFile], { cwd, env });
      expect(withCa.stderr).toBe('');
      expect(withCa.code).toBe(0);
      expect(withCa.stdout.trim()).toMatch(JWT_PATTERN);
      const vault = /Demo vault "quickstart": ([0-9a-f]{32})/.exec(serve.stderr())?.[1];
      const res = await requestJson(`${serve.url}/v1/vaults/${vault}`, {
        token: withCa.stdout.trim(),
        ca: readFileSync(certFile),
      });
      expect(res.status).toBe(200);
      expect(res.body.vault.name).toBe('quickstart');

      const viaEnv = await runCli(['vault', 'list'], { cwd, env: { ...env, STRONGROOM_CA_FILE: certFile } });
      expect(viaEnv.code).toBe(0);
      expect(viaEnv.stdout).toContain('quickstart');
      const viaNode = await runCli(['vault', 'list'], { cwd, env: { ...env, NODE_EXTRA_CA_CERTS: certFile } });
      expect(viaNode.code).toBe(0);
      expect(viaNode.stdout).toContain('quickstart');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'the CLI not trusting the certificate exits 1 with a hint about --ca and NODE_EXTRA_CA_CERTS',
    async () => {
      const result = await runCli(['token'], { cwd, env });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`cannot reach https://127.0.0.1:${port}`);
      expect(result.stderr).toContain('pass --ca <server certificate> or set NODE_EXTRA_CA_CERTS');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a --ca file that does not exist or holds no certificate exits 2',
    async () => {
      const missing = await runCli(['token', '--ca', 'nope.pem'], { cwd, env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read CA file nope.pem');
      const junk = path.join(cwd, 'junk.pem');
      writeFileSync(junk, 'not a certificate');
      const notPem = await runCli(['token', '--ca', junk], { cwd, env });
      expect(notPem.code).toBe(2);
      expect(notPem.stderr).toContain('holds no PEM certificate');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'an http:// URL to the HTTPS server fails with exit 1 and suggests https://',
    async () => {
      const result = await runCli(['token', '--url', `http://127.0.0.1:${port}`], { cwd, env });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^strongroom: cannot reach http:\/\/127\.0\.0\.1:\d+: /);
      expect(result.stderr).toContain('use an https:// URL');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a restart reuses the same certificate, so clients keep trusting it',
    async () => {
      const before = readFileSync(certFile, 'utf8');
      await serve.stop();
      serve = await startServe(['--port', String(port), '--tls', 'self-signed'], { cwd, env });
      expect(serve.stderr()).toContain(`TLS certificate (self-signed): ${certFile}`);
      expect(readFileSync(certFile, 'utf8')).toBe(before);
      const result = await runCli(['token', '--ca', certFile], { cwd, env });
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toMatch(JWT_PATTERN);
    },
    SPAWN_TIMEOUT,
  );
});

describe('strongroom serve --tls-cert/--tls-key', () => {
  it(
    'serves HTTPS with the given certificate',
    async () => {
      const cwd = tempDir();
      const pems = await makeCertificate('strongroom test', ['localhost', '127.0.0.1']);
      writeFileSync(path.join(cwd, 'cert.pem'), pems.cert);
      writeFileSync(path.join(cwd, 'key.pem'), pems.private, { mode: 0o600 });
      const serve = await startServe(['--port', '0', '--no-demo', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem'], {
        cwd,
      });
      expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(serve.stderr()).not.toContain('self-signed');
      const res = await requestJson(`${serve.url}/readyz`, { ca: pems.cert });
      expect(res.status).toBe(200);
      expect(res.peerFingerprint).toBe(new X509Certificate(pems.cert).fingerprint256);
      const list = await runCli(['vault', 'list', '--ca', 'cert.pem'], { cwd });
      expect(list.code).toBe(0);
      expect(list.stdout).toBe('No vaults.\n');
      await serve.stop();
    },
    SPAWN_TIMEOUT,
  );

  it.each([
    [['--tls-cert', 'cert.pem'], '--tls-cert and --tls-key must be given together'],
    [['--tls-key', 'key.pem'], '--tls-cert and --tls-key must be given together'],
    [['--tls', 'self-signed', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem'], 'cannot be combined'],
  ])(
    'serve %j exits 2',
    async (args, message) => {
      const result = await runCli(['serve', '--port', '0', ...args], { cwd: tempDir() });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a certificate file that does not exist exits 2 naming it',
    async () => {
      const cwd = tempDir();
      const result = await runCli(['serve', '--port', '0', '--tls-cert', 'missing.pem', '--tls-key', 'key.pem'], {
        cwd,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`TLS certificate (--tls-cert) ${path.join(cwd, 'missing.pem')} does not exist`);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a key that does not belong to the certificate exits 2',
    async () => {
      const cwd = tempDir();
      const a = await makeCertificate('a', ['localhost']);
      const b = await makeCertificate('b', ['localhost']);
      writeFileSync(path.join(cwd, 'cert.pem'), a.cert);
      writeFileSync(path.join(cwd, 'key.pem'), b.private);
      const result = await runCli(['serve', '--port', '0', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem'], {
        cwd,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('cannot be used together');
    },
    SPAWN_TIMEOUT,
  );
});
