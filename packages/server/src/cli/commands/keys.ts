import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, connect, output } from '../context.js';
import { CliError } from '../errors.js';

interface RotationStatus {
  vaultID: string;
  toVersion: number;
  status: 'RUNNING' | 'DONE';
  total: number;
  done: number;
  startedOn: string;
  finishedOn: string | null;
}

const POLL_MS = 500;

function checkVault(vault: string): string {
  if (!/^[0-9a-f]{32}$/.test(vault)) throw new CliError('--vault must be a vault ID (32 hex characters)', 2);
  return vault;
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage vault data keys');

  addClientOptions(
    keys
      .command('rotate')
      .description(
        'rotate a vault data key: a new version at once, every stored value re-sealed online (resumes after a crash)',
      )
      .requiredOption('--vault <vaultID>', 'the vault whose data key to rotate')
      .option('--no-wait', 'start the rotation and return, without waiting for it to finish'),
  ).action(async (options: ClientOptions & { vault: string; wait: boolean }) => {
    const vault = checkVault(options.vault);
    const { client, token } = await connect(options);
    const base = `/v1/management/vaults/${vault}/keys`;
    let status = await client.request<RotationStatus>('POST', `${base}/rotate`, { token });
    if (options.wait) {
      const bar =
        options.json || !process.stderr.isTTY
          ? undefined
          : new SingleBar({
              format: 'Re-sealing under key v{version} [{bar}] {value}/{total} values',
              stream: process.stderr,
              hideCursor: true,
            });
      bar?.start(Math.max(status.total, 1), status.done, { version: status.toVersion });
      let lastReported = -1;
      while (status.status === 'RUNNING') {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        status = await client.request<RotationStatus>('GET', `${base}/rotation`, { token });
        if (bar) bar.update(status.done);
        else if (!options.json && status.done !== lastReported) {
          process.stderr.write(`re-sealed ${status.done}/${status.total} values under key v${status.toVersion}\n`);
          lastReported = status.done;
        }
      }
      bar?.update(Math.max(status.total, 1));
      bar?.stop();
    }
    output(
      options,
      status,
      status.status === 'DONE'
        ? `Vault ${vault} now uses data key v${status.toVersion}; ${status.done} values re-sealed, older keys retired.`
        : `Rotation to data key v${status.toVersion} running: ${status.done}/${status.total} values re-sealed. Follow it with: strongroom keys status --vault ${vault}`,
    );
  });

  addClientOptions(
    keys
      .command('status')
      .description('show the progress of the latest data-key rotation')
      .requiredOption('--vault <vaultID>', 'the vault'),
  ).action(async (options: ClientOptions & { vault: string }) => {
    const vault = checkVault(options.vault);
    const { client, token } = await connect(options);
    const status = await client.request<RotationStatus>('GET', `/v1/management/vaults/${vault}/keys/rotation`, {
      token,
    });
    output(
      options,
      status,
      `data key v${status.toVersion}: ${status.status}, ${status.done}/${status.total} values re-sealed, started ${status.startedOn}${
        status.finishedOn ? `, finished ${status.finishedOn}` : ''
      }`,
    );
  });
}
