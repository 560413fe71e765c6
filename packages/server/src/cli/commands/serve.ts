import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { type RunningServer, startServer } from '../../server/start.js';
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
      const config = loadConfig({
        flags: {
          port: options.port,
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
      const server = await startServer(config);
      printBanner(server);
      const stop = async (signal: string) => {
        process.stderr.write(`\n${signal} received, shutting down…\n`);
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

/** What a human needs after `npm start`: where the vault is, and how to use it right away. */
function printBanner(server: RunningServer): void {
  const { url, bootstrap, rootKey, tls } = server;
  const lines: string[] = [''];
  if (rootKey.created) {
    lines.push(
      '!!! ─────────────────────────────────────────────────────────────────────────────────────────────',
      `!!! WARNING: created a DEVELOPMENT root key at ${rootKey.source.file}`,
      '!!! Whoever can read that file can decrypt every value in this vault. In production, supply the',
      '!!! root key through configuration instead (STRONGROOM_ROOT_KEY or STRONGROOM_ROOT_KEY_FILE, from',
      '!!! your secrets manager); with NODE_ENV=production Strongroom refuses to start without one.',
      '!!! ─────────────────────────────────────────────────────────────────────────────────────────────',
      '',
    );
  }
  lines.push(`Strongroom is listening on ${url}  (store: ${server.services.store.kind})`);
  if (tls?.selfSigned) {
    lines.push(
      `TLS certificate (self-signed): ${tls.certFile}`,
      `  trust it with: export NODE_EXTRA_CA_CERTS=${tls.certFile}`,
    );
  }
  const credentials = bootstrap.adminCredentialsFile;
  if (bootstrap.firstStart) lines.push(`Admin credentials written to ${credentials} (mode 0600; keep them secret).`);
  if (bootstrap.demoVaultId) {
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
    const curlTls = tls?.selfSigned ? ` --cacert ${tls.certFile}` : '';
    lines.push(
      `Demo vault "quickstart": ${bootstrap.demoVaultId}`,
      '',
      'Try it (in another terminal, from this directory):',
      `  TOKEN=$(npx strongroom token --credentials ${relative(credentials)}${tls?.selfSigned ? ` --ca ${tls.certFile}` : ''})`,
      `  curl -s${curlTls} -X POST ${url}/v1/vaults/${bootstrap.demoVaultId}/persons \\`,
      `    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
      `    -d '${record}'`,
    );
  } else if (!bootstrap.firstStart) {
    lines.push(`Admin credentials: ${credentials} (created on first start).`);
  }
  lines.push('');
  process.stderr.write(`${lines.join('\n')}\n`);
}

function relative(file: string): string {
  const cwd = process.cwd();
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}
