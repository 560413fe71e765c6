import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed launcher, exactly what `npx strongroom` runs (it imports the built dist/). */
export const BIN = fileURLToPath(new URL('../../bin/strongroom.js', import.meta.url));

/** Per-test timeout for tests that spawn processes (several CLI runs of ~0.3-1 s each on slow machines). */
export const SPAWN_TIMEOUT = 90_000;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh random 32-byte root key, base64. */
export function randomRootKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * A controlled environment for a child process: nothing from the developer's (or vitest's) environment
 * except PATH, plus a random root key unless `rootKey: null` asks for the development-key path.
 */
export function cliEnv(
  extra: Record<string, string | undefined> = {},
  options: { rootKey?: string | null } = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' };
  const rootKey = options.rootKey === undefined ? randomRootKey() : options.rootKey;
  if (rootKey !== null) env.STRONGROOM_ROOT_KEY = rootKey;
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

const tempDirs: string[] = [];

/** A temporary directory removed by {@link removeTempDirs}. */
export function tempDir(prefix = 'strongroom-cli-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

const children = new Set<ChildProcess>();

/** Kills every child still running (a failed test must not leave servers behind). */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  children.clear();
}

function spawnCli(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs the CLI to completion. A run longer than `timeoutMs` is killed and reported as a failure. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  const child = spawnCli(args, { cwd: options.cwd, env: options.env ?? cliEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strongroom ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** The URL from the banner line "Strongroom is listening on <url>". */
  readonly url: string;
  /** Everything written to stderr so far (the banner). */
  stderr(): string;
  stdout(): string;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `strongroom serve …` and waits for its banner. Rejects with the process output if it exits
 * first or does not print the banner within `timeoutMs`.
 */
export function startServe(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ServeProcess> {
  const child = spawnCli(['serve', ...args], { cwd: options.cwd, env: options.env ?? cliEnv() });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve printed no banner within ${timeoutMs} ms\nstderr:\n${stderr}\nstdout:\n${stdout}`));
    }, timeoutMs);
    const check = () => {
      // The banner is one write ending with an empty line; wait for all of it.
      const match = /Strongroom is listening on (\S+)/.exec(stderr);
      if (!match || !stderr.endsWith('\n\n')) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1] as string,
        stderr: () => stderr,
        stdout: () => stdout,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      check();
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (code ${code}, signal ${signal}) before listening\nstderr:\n${stderr}`));
    });
  });
}

/** The claims of a JWT, decoded without verification. */
export function jwtPayload(token: string): Record<string, any> {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new Error(`not a JWT: ${token}`);
  return JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
}

export const JWT_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A JSON request over node:http(s) trusting `ca` (fetch cannot take a per-request CA). */
export function requestJson(
  url: string,
  options: { method?: string; token?: string; body?: unknown; ca?: string | Buffer } = {},
): Promise<{ status: number; body: any; peerFingerprint: string | undefined }> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: options.method ?? 'GET', headers, ...(options.ca !== undefined && { ca: options.ca }) },
      (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, body, peerFingerprint: peer?.fingerprint256 });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** A TCP port that was free a moment ago (for restarts that must keep their port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Writes `content` as JSON into `dir/name` and returns the path. */
export function writeJson(dir: string, name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}

/** The port of an http(s) URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
