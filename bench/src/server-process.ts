import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Linux's USER_HZ, the unit of /proc CPU times (100 on every mainstream kernel). */
const CLOCK_TICKS_PER_SECOND = 100;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A benchmarked process that listens on HTTP (the vault server, or a baseline server). */
export interface ListeningProcess {
  readonly url: string;
  readonly pid: number;
  /** Cumulative user + system CPU time of the process, in milliseconds (Linux /proc). */
  cpuMillis(): number;
  stop(): Promise<void>;
}

export interface ServerProcess extends ListeningProcess {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly credentials: { clientID: string; keyID: string; tokenURI: string; privateKey: string };
}

export interface ServerProcessOptions {
  /** Data directory (credentials; the SQLite file unless `databaseUrl` says otherwise). Default: a fresh one. */
  readonly dataDir?: string;
  /** `sqlite:<path>` or `postgres://…`; default: SQLite in the data directory. */
  readonly databaseUrl?: string;
  /** Base64 root key; default: a random one. Give one to open the same store from the bench process. */
  readonly rootKey?: string;
  /** Keep the data directory when the process stops (default: removed). */
  readonly keepDataDir?: boolean;
  readonly extraArgs?: readonly string[];
  /** Extra environment of the server process (e.g. `STRONGROOM_AUDIT_LOG`). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Node flags for every benchmarked process: with `BENCH_PROFILE=<dir>`, each writes a V8 CPU profile
 * there when it stops (`node --cpu-prof`), to be opened in Chrome DevTools or summarised with a script.
 */
function profileFlags(): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/** Spawns a Node process and waits until it writes `listening on <url>` to stderr. */
export async function startListening(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  onStop: () => void = () => {},
): Promise<ListeningProcess> {
  const child: ChildProcess = spawn(process.execPath, [...profileFlags(), ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`process did not start:\n${stderr}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`process exited with ${code}:\n${stderr}`)));
  });
  // Keep draining stderr so a chatty process never blocks on a full pipe.
  child.stderr?.resume();
  const pid = child.pid as number;
  return {
    url,
    pid,
    cpuMillis() {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name) are utime and stime.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) * (1000 / CLOCK_TICKS_PER_SECOND);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      onStop();
    },
  };
}

/**
 * Starts `strongroom serve` as its own process (so the load generator and the server do not share an
 * event loop), by default on a fresh SQLite data directory, and waits until it listens.
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'strongroom-bench-'));
  const databaseUrl = options.databaseUrl ?? `sqlite:${path.join(dataDir, 'strongroom.db')}`;
  const proc = await startListening(
    [
      path.join(repoRoot, 'packages/server/bin/strongroom.js'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--database-url',
      databaseUrl,
      '--no-demo',
      '--log-level',
      'warn',
      ...(options.extraArgs ?? []),
    ],
    {
      ...process.env,
      // The auth benchmark mints ~1,000 tokens a second from one address and one account: far over the
      // token endpoint's default limits, which are policy, not work. The Data API limits stay on, raised
      // far above what one client can send (the default, 10,000 a second per caller, is within reach of
      // a one-second burst), so measured requests pay for the check and none is refused by it.
      STRONGROOM_RATE_LIMIT_TOKEN_PER_IP: '0',
      STRONGROOM_RATE_LIMIT_TOKEN_PER_ACCOUNT: '0',
      STRONGROOM_RATE_LIMIT_DATA_PER_PRINCIPAL: '5000000',
      STRONGROOM_RATE_LIMIT_DATA_PER_IP: '5000000',
      ...options.env,
      STRONGROOM_ROOT_KEY: options.rootKey ?? randomBytes(32).toString('base64'),
    },
    () => {
      if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  );
  const credentials = JSON.parse(readFileSync(path.join(dataDir, 'admin-credentials.json'), 'utf8'));
  return { ...proc, dataDir, databaseUrl, credentials };
}
