import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { output } from '../context.js';
import { baseUrlOf, readCredentials } from '../credentials.js';
import { CliError } from '../errors.js';
import { HttpClient } from '../http-client.js';
import { readPasswords } from '../password-input.js';
import { defaultSessionPath, readSession, SESSION_TYPE, type SessionFile, writeSession } from '../session.js';

interface LoginOptions {
  email: string;
  url?: string;
  ca?: string;
  out?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

/**
 * The server to log in to: `--url`, `$STRONGROOM_URL`, the server of the session being replaced, or
 * the server named by the admin credentials in the working directory.
 */
function serverUrl(options: LoginOptions, sessionFile: string): string {
  const url = options.url ?? (process.env.STRONGROOM_URL || readSession(sessionFile)?.url);
  if (url) return url;
  const credentialsFile = path.resolve(
    process.env.STRONGROOM_CREDENTIALS_FILE || path.join('.strongroom', 'admin-credentials.json'),
  );
  if (existsSync(credentialsFile)) return baseUrlOf(readCredentials(credentialsFile));
  throw new CliError('which server? pass --url <url> (or set STRONGROOM_URL)', 2);
}

function clientFor(url: string, ca: string | undefined): HttpClient {
  return new HttpClient({ url, caFile: ca ?? (process.env.STRONGROOM_CA_FILE || undefined) });
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description(
      'log in as a console user and save the personal token (valid 24 hours) for later commands; asks for the password',
    )
    .requiredOption('--email <email>', 'your email address')
    .option('--url <url>', 'server base URL (default: $STRONGROOM_URL, else the server of the admin credentials here)')
    .option('--ca <file>', "extra CA certificate to trust, e.g. the server's self-signed certificate")
    .option(
      '--out <file>',
      'where to save the session (mode 0600; default: $STRONGROOM_SESSION_FILE or .strongroom/session.json)',
    )
    .option('--password-stdin', 'read the password from standard input (one line)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: LoginOptions) => {
      const file = options.out ? path.resolve(options.out) : defaultSessionPath();
      const client = clientFor(serverUrl(options, file), options.ca);
      const [password] = await readPasswords(options, [{ label: `Password for ${options.email}` }]);
      const { accessToken } = await client.request<{ accessToken: string; expiresIn: number }>(
        'POST',
        '/v1/auth/login',
        { body: { email: options.email, password } },
      );
      const claims = decodeJwt(accessToken);
      const session: SessionFile = {
        type: SESSION_TYPE,
        url: client.baseUrl,
        email: options.email,
        userID: String(claims.sub),
        accessToken,
        expiresAt: new Date((claims.exp ?? 0) * 1000).toISOString(),
      };
      writeSession(file, session);
      output(options, { email: session.email, userID: session.userID, expiresAt: session.expiresAt, file }, [
        `Logged in to ${session.url} as ${session.email} until ${session.expiresAt}.`,
        `The token is saved in ${file}; later commands here use it (strongroom logout ends the session).`,
      ]);
    });

  program
    .command('logout')
    .description('revoke the personal token saved by strongroom login and delete the session file')
    .option('--credentials <file>', 'the session file (default: $STRONGROOM_SESSION_FILE or .strongroom/session.json)')
    .option('--ca <file>', "extra CA certificate to trust, e.g. the server's self-signed certificate")
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { credentials?: string; ca?: string; json?: boolean }) => {
      const file = options.credentials ? path.resolve(options.credentials) : defaultSessionPath();
      const session = readSession(file);
      if (!session) throw new CliError(`no session saved in ${file} (nothing to log out of)`, 2);
      let revoked = true;
      try {
        await clientFor(session.url, options.ca).request('POST', '/v1/auth/logout', { token: session.accessToken });
      } catch (err) {
        // A token the server already refuses (expired, revoked, user disabled) needs no revoking.
        if (!(err instanceof CliError && err.status === 401)) throw err;
        revoked = false;
      }
      rmSync(file, { force: true });
      output(
        options,
        { email: session.email, revoked, file },
        `Logged out ${session.email}${revoked ? '' : ' (the token was no longer valid)'}; removed ${file}`,
      );
    });
}
