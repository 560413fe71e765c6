import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { RunningServer } from '../../server/start.js';
import { CliError } from '../errors.js';

interface ServeOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  rootKeyFile?: string;
  publicUrl?: string;
  tls?: string;
  tlsCert?: string;
  tlsKey?: string;
  demo?: boolean;
  logLevel?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the vault server (the only command that opens the store)')
    .option('--port <port>', 'port to listen on (default 8080)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (default .strongroom)')
    .option('--database-url <url>', 'sqlite:<path> (default <data-dir>/strongroom.db) or postgres://…')
    .option('--config <file>', 'JSON config file (or $STRONGROOM_CONFIG)')
    .option('--root-key-file <file>', 'file holding the 32-byte root key (base64); or set $STRONGROOM_ROOT_KEY')
    .option('--public-url <url>', 'base URL clients use to reach this server (used for tokenURI)')
    .option('--tls <mode>', '"self-signed": create and keep a certificate in the data directory')
    .option('--tls-cert <file>', 'TLS certificate (PEM) to serve HTTPS with')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--no-demo', 'do not create the quickstart demo vault on first start')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default info)')
    .action(async (options: ServeOptions) => {
      if (options.tls !== undefined && options.tls !== 'self-signed') {
        throw new CliError('--tls takes one value: self-signed (use --tls-cert/--tls-key for your own certificate)', 2);
      }
      const port = options.port?.trim();
      if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) {
        throw new CliError(`--port must be a whole number from 0 to 65535, got "${options.port}"`, 2);
      }
      // Loaded here, not at the top: client commands should not pay for loading the whole server.
      const { loadConfig } = await import('../../config.js');
      const config = loadConfig({
        flags: {
          port,
          host: options.host,
          dataDir: options.dataDir,
          databaseUrl: options.databaseUrl,
          configFile: options.config,
          rootKeyFile: options.rootKeyFile,
          publicUrl: options.publicUrl,
          tlsSelfSigned: options.tls === 'self-signed' ? true : undefined,
          tlsCert: options.tlsCert,
          tlsKey: options.tlsKey,
          demo: options.demo === false ? false : undefined,
          logLevel: options.logLevel as never,
        },
      });
      const { startServer } = await import('../../server/start.js');
      let server: RunningServer;
      try {
        server = await startServer(config);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new CliError(
            `cannot listen on ${config.host}:${config.port}: the port is in use (another server running? pick one with --port)`,
            2,
          );
        }
        if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new CliError(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`, 2);
        }
        throw err;
      }
      // The demo vault may have been deleted since the first start: then there is nothing to try.
      const demoVaultId =
        server.bootstrap.demoVaultId && (await server.services.store.vaults.get(server.bootstrap.demoVaultId))
          ? server.bootstrap.demoVaultId
          : undefined;
      printBanner(server, demoVaultId);
      const stop = async (signal: string) => {
        process.stderr.write(`\n${signal} received, shutting down…\n`);
        try {
          await server.close();
        } catch (err) {
          process.stderr.write(`strongroom: shutdown failed: ${(err as Error).message}\n`);
          process.exit(1);
        }
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

/** What a human needs after `npm start`: where the vault is, and how to use it right away. */
function printBanner(server: RunningServer, demoVaultId: string | undefined): void {
  const { url, bootstrap, rootKey, tls } = server;
  const lines: string[] = [''];
  const devKey = rootKey.source.kind === 'dev-file';
  // Loud on the start that initialises the store, even if an earlier failed attempt already wrote the key.
  if (devKey && (rootKey.created || bootstrap.firstStart)) {
    lines.push(
      '!!! ─────────────────────────────────────────────────────────────────────────────────────────────',
      `!!! WARNING: ${rootKey.created ? 'created' : 'using'} a DEVELOPMENT root key at ${rootKey.source.file}`,
      '!!! Whoever can read that file can decrypt every value in this vault. In production, supply the',
      '!!! root key through configuration instead (STRONGROOM_ROOT_KEY or STRONGROOM_ROOT_KEY_FILE, from',
      '!!! your secrets manager); with NODE_ENV=production Strongroom refuses to start without one.',
      '!!! ─────────────────────────────────────────────────────────────────────────────────────────────',
      '',
    );
  } else if (devKey) {
    lines.push(`Using the DEVELOPMENT root key ${rootKey.source.file} (not for production).`, '');
  }
  lines.push(`Strongroom is listening on ${url}  (store: ${server.services.store.kind})`);
  if (tls?.selfSigned) {
    lines.push(
      `TLS certificate (self-signed): ${tls.certFile}`,
      `  trust it with: export NODE_EXTRA_CA_CERTS=${shellWord(tls.certFile)}`,
    );
  }
  const credentials = bootstrap.adminCredentialsFile;
  if (bootstrap.firstStart) lines.push(`Admin credentials written to ${credentials} (mode 0600; keep them secret).`);
  if (demoVaultId) {
    const record = JSON.stringify({
      records: [
        {
          fields: {
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            ssn: '123-45-6789',
            card_number: '4111111111111111',
            date_of_birth: '1815-12-10',
            phone_number: '+44 20 7946 0958',
          },
        },
      ],
    });
    const ca = tls?.selfSigned ? shellWord(tls.certFile) : undefined;
    lines.push(
      `Demo vault "quickstart": ${demoVaultId}`,
      '',
      'Try it (in another terminal, from this directory):',
      `  TOKEN=$(${cliCommand()} token --credentials ${shellWord(relative(credentials))}${ca ? ` --ca ${ca}` : ''})`,
      `  curl -s${ca ? ` --cacert ${ca}` : ''} -X POST ${url}/v1/vaults/${demoVaultId}/persons \\`,
      `    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
      `    -d '${record}'`,
    );
  } else if (!bootstrap.firstStart) {
    lines.push(`Admin credentials: ${credentials} (created on first start).`);
  }
  lines.push('');
  process.stderr.write(`${lines.join('\n')}\n`);
}

/**
 * How to run this same CLI from the current directory: `npx strongroom` where this project's
 * node_modules provides it, otherwise `node <this launcher>` (outside the project, `npx strongroom`
 * would look the name up on the public npm registry instead).
 */
function cliCommand(): string {
  const launcher = process.argv[1] ? realpathOrSelf(process.argv[1]) : undefined;
  const local = realpathOrSelf(path.join(process.cwd(), 'node_modules', '.bin', 'strongroom'));
  if (launcher && local === launcher) return 'npx strongroom';
  return launcher ? `node ${shellWord(launcher)}` : 'npx strongroom';
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function relative(file: string): string {
  const cwd = process.cwd();
  return file.startsWith(`${cwd}${path.sep}`) ? file.slice(cwd.length + 1) : file;
}

/** A path as one word of a POSIX shell command, quoted only when it has to be (spaces, `$`, quotes…). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
