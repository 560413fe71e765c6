import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The one place configuration is read. Sources, strongest first: command-line flags, environment
 * variables (`STRONGROOM_*`), an optional JSON config file (`--config` / `STRONGROOM_CONFIG`), defaults.
 * Everything is validated once at start-up; a bad value stops the server with a message naming it.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Unions report a bare "Invalid input" when no member matches; say what is expected instead.
const booleanish = z.union(
  [
    z.boolean(),
    z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
  ],
  { error: 'must be true or false (also 1/0, yes/no)' },
);

const integer = (min: number, max: number) =>
  z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], { error: 'must be a whole number' })
    .pipe(z.number().int('must be a whole number').min(min).max(max));

const fileSchema = z
  .object({
    port: integer(0, 65535).optional(),
    host: z.string().min(1).optional(),
    dataDir: z.string().min(1).optional(),
    databaseUrl: z.string().min(1).optional(),
    rootKey: z.string().min(1).optional(),
    rootKeyFile: z.string().min(1).optional(),
    publicUrl: z.string().min(1).optional(),
    tokenAudiences: z.array(z.string().min(1)).optional(),
    logLevel: z.enum(LOG_LEVELS).optional(),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    tlsSelfSigned: booleanish.optional(),
    demo: booleanish.optional(),
    maxBodyBytes: integer(1024, 1024 * 1024 * 1024).optional(),
    maxFileBytes: integer(1, 1024 * 1024 * 1024).optional(),
    fileUrlSeconds: integer(10, 7 * 24 * 3600).optional(),
    keyRotationGraceSeconds: integer(0, 3600).optional(),
    sqliteSynchronous: z.enum(['FULL', 'NORMAL']).optional(),
    sqliteMmapMiB: integer(0, 1_048_576).optional(),
    authCacheSeconds: integer(0, 3600).optional(),
    auditLog: booleanish.optional(),
    auditDurability: z.enum(['full', 'relaxed']).optional(),
    rateLimitTokenPerIp: integer(0, 1_000_000).optional(),
    rateLimitTokenPerAccount: integer(0, 1_000_000).optional(),
    rateLimitDataPerPrincipal: integer(0, 10_000_000).optional(),
    rateLimitDataPerIp: integer(0, 10_000_000).optional(),
    detectRunRetentionSeconds: integer(60, 365 * 24 * 3600).optional(),
  })
  .strict();

/** Raw settings as they come from one source, before defaults. */
export type ConfigInput = z.input<typeof fileSchema>;

export interface TlsConfig {
  readonly mode: 'off' | 'files' | 'self-signed';
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface RootKeySource {
  /** `env`/`config`: given inline; `file`: a path supplied by config; `dev-file`: generated in the data dir. */
  readonly kind: 'inline' | 'file' | 'dev-file';
  readonly value?: string;
  readonly file?: string;
}

/** The validated configuration of a server process. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly rootKey: RootKeySource;
  /** Base URL clients use to reach this server; `undefined` means "derive from the listening address". */
  readonly publicUrl: string | undefined;
  /** Extra accepted `aud` values for the token endpoint (besides this server's own token URI). */
  readonly tokenAudiences: readonly string[];
  readonly logLevel: LogLevel;
  readonly tls: TlsConfig;
  readonly demo: boolean;
  readonly production: boolean;
  readonly maxBodyBytes: number;
  /** Largest file accepted by the file upload endpoints (413 beyond). */
  readonly maxFileBytes: number;
  /** How long a file download URL stays valid. */
  readonly fileUrlSeconds: number;
  /**
   * How long a finished key rotation waits before retiring old keys, so every node has reloaded its keys.
   * Must exceed the key cache time (10 s) on multi-node deployments; 0 suits a single node.
   */
  readonly keyRotationGraceSeconds: number;
  readonly sqliteSynchronous: 'FULL' | 'NORMAL';
  /** How much of the SQLite data file is read through a memory map (MiB; 0: none; unset: the store's default). */
  readonly sqliteMmapMiB: number | undefined;
  /** How long a verified principal may be reused before its service account and roles are re-read. */
  readonly authCacheSeconds: number;
  /** Whether requests are written to the audit log (only benchmarks turn it off; production refuses to). */
  readonly auditLog: boolean;
  /**
   * `relaxed` (default): audit entries commit without waiting for the disk (they survive a crash of the
   * process, not a power loss of the machine); `full`: every batch of entries waits for the disk.
   */
  readonly auditDurability: 'full' | 'relaxed';
  /** Rate limits (0 turns one off): token requests per minute per client address and per service account. */
  readonly rateLimitTokenPerIp: number;
  readonly rateLimitTokenPerAccount: number;
  /** Data API requests per second per principal and per client address. */
  readonly rateLimitDataPerPrincipal: number;
  readonly rateLimitDataPerIp: number;
  /** How long the results of a finished Detect file run are kept before they are deleted. */
  readonly detectRunRetentionSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ENV_NAMES: Record<keyof ConfigInput, string> = {
  port: 'STRONGROOM_PORT',
  host: 'STRONGROOM_HOST',
  dataDir: 'STRONGROOM_DATA_DIR',
  databaseUrl: 'STRONGROOM_DATABASE_URL',
  rootKey: 'STRONGROOM_ROOT_KEY',
  rootKeyFile: 'STRONGROOM_ROOT_KEY_FILE',
  publicUrl: 'STRONGROOM_PUBLIC_URL',
  tokenAudiences: 'STRONGROOM_TOKEN_AUDIENCES',
  logLevel: 'STRONGROOM_LOG_LEVEL',
  tlsCert: 'STRONGROOM_TLS_CERT',
  tlsKey: 'STRONGROOM_TLS_KEY',
  tlsSelfSigned: 'STRONGROOM_TLS_SELF_SIGNED',
  demo: 'STRONGROOM_DEMO',
  maxBodyBytes: 'STRONGROOM_MAX_BODY_BYTES',
  maxFileBytes: 'STRONGROOM_MAX_FILE_BYTES',
  fileUrlSeconds: 'STRONGROOM_FILE_URL_SECONDS',
  keyRotationGraceSeconds: 'STRONGROOM_KEY_ROTATION_GRACE_SECONDS',
  sqliteSynchronous: 'STRONGROOM_SQLITE_SYNCHRONOUS',
  sqliteMmapMiB: 'STRONGROOM_SQLITE_MMAP_MIB',
  authCacheSeconds: 'STRONGROOM_AUTH_CACHE_SECONDS',
  auditLog: 'STRONGROOM_AUDIT_LOG',
  auditDurability: 'STRONGROOM_AUDIT_DURABILITY',
  rateLimitTokenPerIp: 'STRONGROOM_RATE_LIMIT_TOKEN_PER_IP',
  rateLimitTokenPerAccount: 'STRONGROOM_RATE_LIMIT_TOKEN_PER_ACCOUNT',
  rateLimitDataPerPrincipal: 'STRONGROOM_RATE_LIMIT_DATA_PER_PRINCIPAL',
  rateLimitDataPerIp: 'STRONGROOM_RATE_LIMIT_DATA_PER_IP',
  detectRunRetentionSeconds: 'STRONGROOM_DETECT_RUN_RETENTION_SECONDS',
};

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    out[key] =
      key === 'tokenAudiences'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value;
  }
  return out;
}

/** One line per issue: `<source><sep><setting>: <message>`, or `<source>: <message>` for the whole source. */
function describe(issues: z.core.$ZodIssue[], source: string, names?: Record<string, string>, sep = ' '): string[] {
  return issues.map((issue) => {
    const key = issue.path.join('.');
    const label = names?.[key] ?? key;
    return `${label ? `${source}${sep}${label}` : source}: ${issue.message}`;
  });
}

export interface LoadConfigOptions {
  /** Settings from command-line flags (already parsed). */
  readonly flags?: ConfigInput & { configFile?: string };
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Reads, merges and validates configuration. Throws {@link ConfigError} listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { configFile: flagConfigFile, ...flags } = options.flags ?? {};
  const problems: string[] = [];

  const configFile = flagConfigFile ?? env.STRONGROOM_CONFIG;
  let fileInput: ConfigInput = {};
  if (configFile) {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path.resolve(cwd, configFile), 'utf8')));
      if (parsed.success) fileInput = parsed.data;
      else problems.push(...describe(parsed.error.issues, `config file ${configFile}`, undefined, ': '));
    } catch (err) {
      problems.push(`config file ${configFile}: ${(err as Error).message}`);
    }
  }
  const envParsed = fileSchema.safeParse(fromEnv(env));
  let envInput: ConfigInput = {};
  if (envParsed.success) envInput = envParsed.data;
  else problems.push(...describe(envParsed.error.issues, 'environment', ENV_NAMES));

  const flagsParsed = fileSchema.safeParse(stripUndefined(flags));
  let flagInput: ConfigInput = {};
  if (flagsParsed.success) flagInput = flagsParsed.data;
  else problems.push(...describe(flagsParsed.error.issues, 'option'));

  const merged = mergeSources([fileInput, envInput, flagInput]);
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(cwd, merged.dataDir ?? '.strongroom');
  const databaseUrl = normaliseDatabaseUrl(merged.databaseUrl ?? `sqlite:${path.join(dataDir, 'strongroom.db')}`, cwd);
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    problems.push(`databaseUrl must start with "sqlite:", "postgres://" or "postgresql://"`);
  } else if (databaseUrl === 'sqlite:') {
    problems.push('databaseUrl "sqlite:" must name a database file, e.g. "sqlite:data/strongroom.db"');
  }

  if (merged.rootKey && merged.rootKeyFile) problems.push('give either rootKey or rootKeyFile, not both');
  let rootKey: RootKeySource;
  if (merged.rootKey) rootKey = { kind: 'inline', value: merged.rootKey };
  else if (merged.rootKeyFile) rootKey = { kind: 'file', file: path.resolve(cwd, merged.rootKeyFile) };
  else rootKey = { kind: 'dev-file', file: path.join(dataDir, 'root.key') };
  if (production && rootKey.kind === 'dev-file') {
    problems.push(
      'NODE_ENV=production requires an explicit root key: set STRONGROOM_ROOT_KEY (32 bytes, base64) or STRONGROOM_ROOT_KEY_FILE',
    );
  }

  let tls: TlsConfig = { mode: 'off' };
  if (merged.tlsSelfSigned && (merged.tlsCert || merged.tlsKey)) {
    problems.push('--tls self-signed cannot be combined with --tls-cert/--tls-key');
  } else if (merged.tlsSelfSigned) {
    tls = { mode: 'self-signed' };
  } else if (merged.tlsCert || merged.tlsKey) {
    if (!merged.tlsCert || !merged.tlsKey) problems.push('--tls-cert and --tls-key must be given together');
    else
      tls = {
        mode: 'files',
        certFile: path.resolve(cwd, merged.tlsCert),
        keyFile: path.resolve(cwd, merged.tlsKey),
      };
  }

  let publicUrl: string | undefined;
  if (merged.publicUrl) {
    try {
      const url = new URL(merged.publicUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      // It is a base URL that paths are appended to: a query, fragment or credentials would be dropped
      // silently (or end up in the token URI), so they are refused instead.
      if (url.search || url.hash || url.username || url.password) {
        // The value is not echoed: it may hold a password.
        problems.push('publicUrl must be a base URL without credentials, query or fragment');
      } else publicUrl = url.origin + url.pathname.replace(/\/+$/, '');
    } catch {
      // Not echoed: a URL that fails to parse may still carry a password.
      problems.push('publicUrl must be an absolute http(s) URL such as https://vault.example.com');
    }
  }

  if (production && merged.auditLog === false) problems.push('auditLog cannot be turned off in production');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: merged.port ?? 8080,
    host: merged.host ?? '127.0.0.1',
    dataDir,
    databaseUrl,
    rootKey,
    publicUrl,
    tokenAudiences: merged.tokenAudiences ?? [],
    logLevel: merged.logLevel ?? 'info',
    tls,
    demo: merged.demo ?? true,
    production,
    maxBodyBytes: merged.maxBodyBytes ?? 5 * 1024 * 1024,
    maxFileBytes: merged.maxFileBytes ?? 32 * 1024 * 1024,
    fileUrlSeconds: merged.fileUrlSeconds ?? 15 * 60,
    keyRotationGraceSeconds: merged.keyRotationGraceSeconds ?? 30,
    sqliteSynchronous: merged.sqliteSynchronous ?? 'FULL',
    sqliteMmapMiB: merged.sqliteMmapMiB,
    authCacheSeconds: merged.authCacheSeconds ?? 10,
    auditLog: merged.auditLog ?? true,
    auditDurability: merged.auditDurability ?? 'relaxed',
    rateLimitTokenPerIp: merged.rateLimitTokenPerIp ?? 600,
    rateLimitTokenPerAccount: merged.rateLimitTokenPerAccount ?? 120,
    rateLimitDataPerPrincipal: merged.rateLimitDataPerPrincipal ?? 10_000,
    rateLimitDataPerIp: merged.rateLimitDataPerIp ?? 20_000,
    detectRunRetentionSeconds: merged.detectRunRetentionSeconds ?? 24 * 3600,
  };
}

/**
 * Settings that are alternatives to each other: when a stronger source sets one of them, whatever a
 * weaker source set in the same group is dropped (an env root key overrides a config-file key file).
 */
const ALTERNATIVES: readonly (keyof ConfigInput)[][] = [
  ['rootKey', 'rootKeyFile'],
  ['tlsSelfSigned', 'tlsCert', 'tlsKey'],
];

function mergeSources(sources: readonly ConfigInput[]): z.output<typeof fileSchema> {
  const merged: Record<string, unknown> = {};
  for (const source of sources) {
    for (const group of ALTERNATIVES) {
      if (group.some((key) => source[key] !== undefined && source[key] !== false)) {
        for (const key of group) delete merged[key];
      }
    }
    Object.assign(merged, source);
  }
  return merged as z.output<typeof fileSchema>;
}

function stripUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** `sqlite:relative/path` is resolved against the working directory; other URLs are left alone. */
function normaliseDatabaseUrl(url: string, cwd: string): string {
  if (!url.startsWith('sqlite:')) return url;
  const file = url.slice('sqlite:'.length);
  if (file === ':memory:' || file === '') return url;
  return `sqlite:${path.resolve(cwd, file)}`;
}
