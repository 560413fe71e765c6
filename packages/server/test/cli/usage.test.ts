import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

afterAll(async () => {
  await killChildren();
  removeTempDirs();
});

describe('strongroom usage errors', () => {
  it(
    'an unknown command exits 2 and shows the commands',
    async () => {
      const result = await runCli(['frobnicate'], { cwd: tempDir() });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain("error: unknown command 'frobnicate'");
      expect(result.stderr).toMatch(/Commands:[\s\S]*serve[\s\S]*vault[\s\S]*sa[\s\S]*token[\s\S]*apikey/);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'an unknown subcommand exits 2',
    async () => {
      const result = await runCli(['vault', 'explode'], { cwd: tempDir() });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("unknown command 'explode'");
    },
    SPAWN_TIMEOUT,
  );

  it.each([
    [['vault', 'create'], "required option '--schema <file>' not specified"],
    [['sa', 'create'], "required option '--out <file>' not specified"],
    [['apikey', 'create'], "required option '--sa <serviceAccountID>' not specified"],
    [['vault', 'get'], "missing required argument 'vaultID'"],
    [['sa', 'delete'], "missing required argument 'serviceAccountID'"],
  ])(
    '%j without its required option or argument exits 2',
    async (args, message) => {
      const result = await runCli(args, { cwd: tempDir() });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'an unknown option or an option without its value exits 2',
    async () => {
      const unknown = await runCli(['token', '--bogus'], { cwd: tempDir() });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("unknown option '--bogus'");
      const noValue = await runCli(['token', '--credentials'], { cwd: tempDir() });
      expect(noValue.code).toBe(2);
      expect(noValue.stderr).toContain("option '--credentials <file>' argument missing");
    },
    SPAWN_TIMEOUT,
  );

  it(
    'no command at all prints the help on stderr and exits 2',
    async () => {
      const result = await runCli([], { cwd: tempDir() });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: strongroom [options] [command]');
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--help and --version exit 0 on stdout',
    async () => {
      const help = await runCli(['sa', 'create', '--help'], { cwd: tempDir() });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: strongroom sa create [options]');
      expect(help.stdout).toContain('--credentials <file>');
      const version = await runCli(['--version'], { cwd: tempDir() });
      expect(version.code).toBe(0);
      expect(version.stdout).toBe('0.1.0\n');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'the launcher without a build says to build, and exits 2',
    async () => {
      const root = tempDir();
      mkdirSync(path.join(root, 'bin'));
      const launcher = path.join(root, 'bin', 'strongroom.js');
      copyFileSync(BIN, launcher);
      writeFileSync(path.join(root, 'package.json'), '{"type":"module"}\n');
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [launcher, 'token'], { cwd: root, env: cliEnv() });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (c: string) => {
          stderr += c;
        });
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'strongroom: the CLI is not built yet; run `npm run build` in the Strongroom checkout (or `npm start`)\n',
      );
    },
    SPAWN_TIMEOUT,
  );
});
