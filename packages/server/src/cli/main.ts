#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerApiKeys } from './commands/api-keys.js';
import { registerAudit } from './commands/audit.js';
import { registerDetect } from './commands/detect.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerPolicies } from './commands/policies.js';
import { registerRoles } from './commands/roles.js';
import { registerServe } from './commands/serve.js';
import { registerServiceAccounts } from './commands/service-accounts.js';
import { registerToken } from './commands/token.js';
import { registerUsers } from './commands/users.js';
import { registerVault } from './commands/vault.js';
import { CliError } from './errors.js';

const program = new Command('strongroom')
  .description('Strongroom: a self-hostable data privacy vault')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerVault(program);
registerServiceAccounts(program);
registerToken(program);
registerUsers(program);
registerLogin(program);
registerApiKeys(program);
registerKeys(program);
registerAudit(program);
registerRoles(program);
registerPolicies(program);
registerDetect(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`strongroom: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else if (await isConfigurationError(err)) {
    process.stderr.write(`strongroom: ${(err as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`strongroom: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = 1;
  }
}

/**
 * Configuration, root-key and TLS-file problems of `serve` exit with 2. Their classes are loaded only
 * here, so that client commands do not load the server's modules.
 */
async function isConfigurationError(err: unknown): Promise<boolean> {
  if (!(err instanceof Error)) return false;
  const [{ ConfigError }, { WrongRootKeyError }, { RootKeyError }, { TlsError }] = await Promise.all([
    import('../config.js'),
    import('../crypto/keyring.js'),
    import('../crypto/root-key.js'),
    import('../server/tls.js'),
  ]);
  return (
    err instanceof ConfigError ||
    err instanceof RootKeyError ||
    err instanceof WrongRootKeyError ||
    err instanceof TlsError
  );
}
