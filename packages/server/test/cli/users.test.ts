import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  BIN,
  type CliResult,
  cliEnv,
  jwtPayload,
  killChildren,
  removeTempDirs,
  runCli,
  SPAWN_TIMEOUT,
  tempDir,
} from './helpers.js';

const mode = (file: string) => statSync(file).mode & 0o777;
const ID = /[0-9a-f]{32}/;

/** Runs the CLI with `input` on its standard input (runCli gives it none). */
function runWithInput(args: readonly string[], input: string, cwd: string): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, () => child.stdin?.end(input));
}

function collect(child: ChildProcess, start: () => void, timeoutMs = 30_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  start();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not finish within ${timeoutMs} ms\nstdout:${stdout}\nstderr:${stderr}`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** True when util-linux `script` (2.35 or later, for `--echo`) can give a child a pseudo-terminal. */
function hasScript(): boolean {
  try {
    return /--echo/.test(execFileSync('script', ['--help'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

/**
 * Runs the CLI on a pseudo-terminal (through `script`) and answers its prompts one by one: each answer
 * is typed once the output shows the prompt it answers. Returns everything the terminal showed.
 * The terminal echoes what is typed (`--echo always`) unless the program turns echo off, as a password
 * prompt must; answers are typed a moment after their prompt shows, as a person would.
 */
function runOnTerminal(
  args: readonly string[],
  answers: readonly [prompt: string, answer: string][],
  cwd: string,
): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-q', '-e', '--echo', 'always', '-c', command, '/dev/null'], {
    cwd,
    env: { ...cliEnv(), TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let next = 0;
  let shownUpTo = 0;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk;
    const pending = answers[next];
    if (pending && screen.indexOf(pending[0], shownUpTo) >= 0) {
      shownUpTo = screen.indexOf(pending[0], shownUpTo) + pending[0].length;
      next += 1;
      const answer = pending[1];
      setTimeout(() => child.stdin?.write(`${answer}\r`), 200);
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end on the terminal within 30 s:\n${screen}`));
    }, 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe('strongroom users, login and logout', () => {
  let t: TestServer;
  let cwd: string;
  const adminPassword = 'Admin-password-2024';
  const admin = (...args: string[]) => runCli([...args, '--credentials', t.adminCredentialsFile], { cwd });
  const adminWithInput = (input: string, ...args: string[]) =>
    runWithInput([...args, '--credentials', t.adminCredentialsFile], input, cwd);

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    cwd = tempDir();
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'users create takes the password from --password-stdin only, and can make the first account admin',
    async () => {
      const created = await adminWithInput(
        `${adminPassword}\n`,
        'users',
        'create',
        '--email',
        'admin@example.com',
        '--display-name',
        'First Admin',
        '--role',
        'account-admin',
        '--password-stdin',
      );
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^Created user [0-9a-f]{32} \(admin@example\.com\) with roles [0-9a-f]{32}\n$/);
      expect(created.stdout + created.stderr).not.toContain(adminPassword);
      const users = (await t.request('GET', '/v1/users?email=admin@example.com')).body.users;
      expect(users).toMatchObject([{ email: 'admin@example.com', displayName: 'First Admin', status: 'ACTIVE' }]);

      // Never from the command line; never without a terminal or stdin to read it from.
      const inArgs = await admin('users', 'create', '--email', 'x@example.com', '--password', adminPassword);
      expect(inArgs.code).toBe(2);
      expect(inArgs.stderr).toContain("unknown option '--password'");
      const noTerminal = await admin('users', 'create', '--email', 'x@example.com');
      expect(noTerminal.code).toBe(2);
      expect(noTerminal.stderr).toBe(
        'strongroom: no terminal to ask for the password on: pipe it in with --password-stdin\n',
      );
      const empty = await adminWithInput('', 'users', 'create', '--email', 'x@example.com', '--password-stdin');
      expect(empty.code).toBe(2);
      expect(empty.stderr).toBe('strongroom: --password-stdin: standard input holds no password\n');
      // The server's policy answers through the CLI, without repeating the password.
      const weak = await adminWithInput(
        'weakpassword\n',
        'users',
        'create',
        '--email',
        'weak@example.com',
        '--password-stdin',
      );
      expect(weak.code).toBe(1);
      expect(weak.stderr).toMatch(/two kinds of characters/);
      expect(weak.stderr).not.toContain('weakpassword');
      expect((await t.request('GET', '/v1/users?email=x@example.com')).body.users).toEqual([]);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'login saves a 24-hour personal token (mode 0600) that later commands here use without --credentials',
    async () => {
      const result = await runWithInput(
        ['login', '--email', 'ADMIN@example.com', '--url', t.url, '--password-stdin'],
        `${adminPassword}\n`,
        cwd,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const file = path.join(cwd, '.strongroom', 'session.json');
      expect(result.stdout).toContain(`Logged in to ${t.url} as ADMIN@example.com until `);
      expect(result.stdout).toContain(`The token is saved in ${file}`);
      expect(result.stdout).not.toContain('eyJ');
      expect(mode(file)).toBe(0o600);
      const session = JSON.parse(readFileSync(file, 'utf8'));
      expect(session).toMatchObject({ type: 'strongroom-user-session', url: t.url, userID: expect.stringMatching(ID) });
      const claims = jwtPayload(session.accessToken);
      expect(claims.exp - claims.iat).toBe(86400);
      expect(claims.kind).toBe('USER');
      expect(Date.parse(session.expiresAt)).toBe(claims.exp * 1000);

      // No --credentials: the saved session is used, as the user.
      const listed = await runCli(['users', 'list', '--json'], { cwd });
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout).users.map((u: { email: string }) => u.email)).toContain('admin@example.com');
      const accounts = await runCli(['sa', 'list'], { cwd });
      expect(accounts.code).toBe(0);
      expect(accounts.stdout).toContain('strongroom-admin');
      const audit = await t.request(
        'GET',
        `/v1/audit/events?filterOps.context.actor=${session.userID}&sortOps.orderBy=DESCENDING`,
      );
      expect(audit.body.event[0].context).toMatchObject({ actorType: 'USER', authMode: 'USER_LOGIN' });

      // A wrong password saves nothing and says what the server said.
      const other = path.join(cwd, 'other-session.json');
      const wrong = await runWithInput(
        ['login', '--email', 'admin@example.com', '--url', t.url, '--password-stdin', '--out', other],
        'Wrong-password-1\n',
        cwd,
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(
        /failed \(401\): The request is unauthorized\. The email address or password is wrong\./,
      );
      expect(existsSync(other)).toBe(false);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'users list, disable, enable, set-password and delete, by ID or email',
    async () => {
      const created = await adminWithInput(
        'Member-password-1\n',
        'users',
        'create',
        '--email',
        'member@example.com',
        '--password-stdin',
        '--json',
      );
      expect(created.code).toBe(0);
      const id = JSON.parse(created.stdout).user.ID as string;
      const list = await admin('users', 'list');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^${id}  member@example\\.com  member  ACTIVE$`, 'm'));

      const disabled = await admin('users', 'disable', 'member@example.com');
      expect(disabled.stdout).toBe(`User ${id} (member@example.com) is DISABLED\n`);
      const refused = await runWithInput(
        ['login', '--email', 'member@example.com', '--url', t.url, '--password-stdin', '--out', 'member.json'],
        'Member-password-1\n',
        cwd,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/The user is disabled/);
      expect((await admin('users', 'enable', id)).stdout).toBe(`User ${id} (member@example.com) is ACTIVE\n`);

      const login = (pw: string) =>
        runWithInput(
          ['login', '--email', 'member@example.com', '--url', t.url, '--password-stdin', '--out', 'member.json'],
          `${pw}\n`,
          cwd,
        );
      expect((await login('Member-password-1')).code).toBe(0);
      const memberSession = path.join(cwd, 'member.json');

      // An admin sets the password without the current one; the member's session stops working.
      const reset = await adminWithInput(
        'Member-password-2\n',
        'users',
        'set-password',
        'member@example.com',
        '--password-stdin',
      );
      expect(reset.stderr).toBe('');
      expect(reset.stdout).toBe(
        'Set the password of member@example.com; the tokens issued to them before are revoked\n',
      );
      const stale = await runCli(['users', 'list', '--credentials', memberSession], { cwd });
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/revoked/);

      // The member changes their own password: current one on the first line, the new one on the second.
      expect((await login('Member-password-2')).code).toBe(0);
      const own = await runWithInput(
        ['users', 'set-password', id, '--password-stdin', '--credentials', memberSession],
        'Member-password-2\nMember-password-3\n',
        cwd,
      );
      expect(own.stderr).toBe('');
      expect(own.stdout).toContain('(log in again)');
      expect((await login('Member-password-2')).code).toBe(1);
      expect((await login('Member-password-3')).code).toBe(0);
      // A member manages no one else.
      const forbidden = await runCli(['users', 'disable', 'admin@example.com', '--credentials', memberSession], {
        cwd,
      });
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toMatch(/users\.(read|manage)/);

      const deleted = await admin('users', 'delete', 'member@example.com');
      expect(deleted.stdout).toBe(`Deleted user ${id}\n`);
      expect((await admin('users', 'delete', 'member@example.com')).stderr).toBe(
        'strongroom: no user with the email address member@example.com\n',
      );
      expect((await admin('users', 'disable', 'nobody')).code).toBe(2);
    },
    SPAWN_TIMEOUT * 2,
  );

  it(
    'logout revokes the saved token and removes the session; an expired session is an error, not a fallback',
    async () => {
      const file = path.join(cwd, '.strongroom', 'session.json');
      const token = JSON.parse(readFileSync(file, 'utf8')).accessToken as string;
      const out = await runCli(['logout'], { cwd });
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout).toBe(`Logged out ADMIN@example.com; removed ${file}\n`);
      expect(existsSync(file)).toBe(false);
      expect((await t.request('GET', '/v1/auth/whoami', { token })).status).toBe(401);
      const again = await runCli(['logout'], { cwd });
      expect(again.code).toBe(2);

      const expired = path.join(cwd, 'expired-project');
      mkdirSync(path.join(expired, '.strongroom'), { recursive: true });
      writeFileSync(
        path.join(expired, '.strongroom', 'session.json'),
        JSON.stringify({
          type: 'strongroom-user-session',
          url: t.url,
          email: 'admin@example.com',
          userID: 'a'.repeat(32),
          accessToken: token,
          expiresAt: '2020-01-01T00:00:00.000Z',
        }),
      );
      const refused = await runCli(['users', 'list'], { cwd: expired });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/expired at 2020-01-01T00:00:00\.000Z; run strongroom login again/);
    },
    SPAWN_TIMEOUT,
  );

  it.skipIf(!hasScript())(
    'on a terminal the password is asked for twice without being shown, and login asks once',
    async () => {
      const password = 'Typed-on-a-tty-42';
      const created = await runOnTerminal(
        ['users', 'create', '--email', 'tty@example.com', '--credentials', t.adminCredentialsFile],
        [
          ['Password: ', password],
          ['Password (again): ', password],
        ],
        cwd,
      );
      expect(created.code, created.screen).toBe(0);
      expect(created.screen).toMatch(/Created user [0-9a-f]{32} \(tty@example\.com\)/);
      expect(created.screen).not.toContain(password);
      const mismatch = await runOnTerminal(
        ['users', 'create', '--email', 'tty2@example.com', '--credentials', t.adminCredentialsFile],
        [
          ['Password: ', password],
          ['Password (again): ', `${password}x`],
        ],
        cwd,
      );
      expect(mismatch.code).toBe(2);
      expect(mismatch.screen).toContain('the two passwords differ');
      const loggedIn = await runOnTerminal(
        ['login', '--email', 'tty@example.com', '--url', t.url, '--out', 'tty.json'],
        [['Password for tty@example.com: ', password]],
        cwd,
      );
      expect(loggedIn.code, loggedIn.screen).toBe(0);
      expect(loggedIn.screen).not.toContain(password);
      expect(existsSync(path.join(cwd, 'tty.json'))).toBe(true);
    },
    SPAWN_TIMEOUT,
  );
});
