import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Linux's USER_HZ, the unit of /proc CPU times (100 on every mainstream kernel). */
const CLOCK_TICKS_PER_SECOND = 100;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly credentials: { clientID: string; keyID: string; tokenURI: string; privateKey: string };
  /** Cumulative user + system CPU time of the server process, in milliseconds (Linux /proc). */
  cpuMillis(): number;
  stop(): Promise<void>;
}

/**
 * Starts `strongroom serve` as its own process (so the load generator and the server do not share an
 * event loop) on a fresh SQLite data directory, and waits until it listens.
 */
export async function startServerProcess(extraArgs: string[] = []): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-bench-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'packages/server/bin/strongroom.js'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--no-demo',
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    {
      env: { ...process.env, STRONGROOM_ROOT_KEY: randomBytes(32).toString('base64') },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
  });
  const credentials = JSON.parse(readFileSync(path.join(dataDir, 'admin-credentials.json'), 'utf8'));
  return {
    url,
    dataDir,
    credentials,
    cpuMillis() {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name) are utime and stime.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) * (1000 / CLOCK_TICKS_PER_SECOND);
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
