import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './errors.js';

/** The `type` that marks a file written by `strongroom login`. */
export const SESSION_TYPE = 'strongroom-user-session';

/** What `strongroom login` saves: a user's personal token and the server it is for. */
export interface SessionFile {
  readonly type: typeof SESSION_TYPE;
  /** Base URL of the server that issued the token. */
  readonly url: string;
  readonly email: string;
  readonly userID: string;
  readonly accessToken: string;
  /** RFC 3339; the token is refused after this. */
  readonly expiresAt: string;
}

/** Where `strongroom login` saves the session unless told otherwise: `$STRONGROOM_SESSION_FILE` or `.strongroom/session.json`. */
export function defaultSessionPath(): string {
  return path.resolve(process.env.STRONGROOM_SESSION_FILE || path.join('.strongroom', 'session.json'));
}

function parseSession(text: string): SessionFile | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || (raw as { type?: unknown }).type !== SESSION_TYPE) return undefined;
  const session = raw as Record<string, unknown>;
  for (const key of ['url', 'email', 'userID', 'accessToken', 'expiresAt']) {
    if (typeof session[key] !== 'string' || session[key] === '') return undefined;
  }
  return raw as SessionFile;
}

/** The session saved in `file`, or undefined when the file is something else (e.g. a credentials.json). */
export function readSession(file: string): SessionFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseSession(text);
}

/**
 * The saved session a client command authenticates with, if any: the file named by `--credentials` (or
 * `$STRONGROOM_CREDENTIALS_FILE`) when it holds a session, otherwise the default session file when it
 * exists. An expired session is an error rather than a silent switch to other credentials.
 */
export function savedSession(credentialsOption: string | undefined): SessionFile | undefined {
  const named = credentialsOption ?? (process.env.STRONGROOM_CREDENTIALS_FILE || undefined);
  const file = named === undefined ? defaultSessionPath() : path.resolve(named);
  if (named === undefined && !existsSync(file)) return undefined;
  const session = readSession(file);
  if (!session) {
    if (named === undefined) throw new CliError(`${file} is not a session saved by strongroom login; remove it`, 2);
    return undefined;
  }
  if (Date.parse(session.expiresAt) <= Date.now()) {
    throw new CliError(
      `the session of ${session.email} saved in ${file} expired at ${session.expiresAt}; run strongroom login again`,
      2,
    );
  }
  return session;
}

/** Writes the session with mode 0600 from its first byte (temporary file, then rename). */
export function writeSession(file: string, session: SessionFile): void {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliError(`cannot write the session to ${target}: ${(err as Error).message}`, 2);
  }
}
