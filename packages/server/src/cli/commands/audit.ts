import type { Command } from 'commander';
import { CliError } from '../errors.js';

interface VerifyOptions {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  rootKeyFile?: string;
  json?: boolean;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description(
      'check every link of the audit chain in the store (needs the root key): exits 0 when intact, 1 when an entry was modified, inserted or deleted',
    )
    .option('--data-dir <dir>', 'data directory (default .strongroom)')
    .option('--database-url <url>', 'sqlite:<path> or postgres://… (default: the data directory’s SQLite file)')
    .option('--config <file>', 'JSON config file (or $STRONGROOM_CONFIG)')
    .option('--root-key-file <file>', 'file holding the root key; or set $STRONGROOM_ROOT_KEY')
    .option('--json', 'print the result as JSON')
    .action(async (options: VerifyOptions) => {
      // Loaded here: client commands should not pay for loading the server's modules.
      const [{ loadConfig }, { loadRootKey }, { openStore }, { Keyring }, { verifyAuditLog }, { describeProblem }] =
        await Promise.all([
          import('../../config.js'),
          import('../../crypto/root-key.js'),
          import('../../store/open-store.js'),
          import('../../crypto/keyring.js'),
          import('../../audit/verify-log.js'),
          import('../../audit/audit-chain.js'),
        ]);
      const config = loadConfig({
        flags: {
          dataDir: options.dataDir,
          databaseUrl: options.databaseUrl,
          configFile: options.config,
          rootKeyFile: options.rootKeyFile,
        },
      });
      if (config.rootKey.kind === 'dev-file') {
        const { existsSync } = await import('node:fs');
        if (config.rootKey.file === undefined || !existsSync(config.rootKey.file)) {
          throw new CliError(
            `no root key: ${config.rootKey.file ?? 'the data directory’s key file'} does not exist; set STRONGROOM_ROOT_KEY or --root-key-file`,
            2,
          );
        }
      }
      const store = openStore(config.databaseUrl, { synchronous: config.sqliteSynchronous });
      try {
        await store.migrate();
        const keyring = new Keyring(loadRootKey(config.rootKey).key);
        await keyring.checkRootKey(store);
        const result = await verifyAuditLog(store, keyring.serverKey(['audit-chain']));
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify(result.ok ? { intact: true, entries: result.entries } : { intact: false, problem: result.problem, message: describeProblem(result.problem) })}\n`,
          );
        } else if (result.ok) {
          process.stdout.write(`Audit log intact: ${result.entries} entries, every link verified.\n`);
        } else {
          process.stdout.write(`Audit log TAMPERED: ${describeProblem(result.problem)}.\n`);
        }
        if (!result.ok) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
