import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, type Connection, connect, listAll, output } from '../context.js';
import { CliError } from '../errors.js';

/** §6.5, as far as the CLI reads it. */
interface RunView {
  runId?: string;
  status: 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' | string;
  output: { processedFile: string; processedFileType: string; processedFileExtension: string }[];
  message: string;
  wordCharacterCount?: { wordCount: number; characterCount: number };
  progress?: { done: number; total: number };
}

interface DeidentifyOptions extends ClientOptions {
  vault?: string;
  out?: string;
  entities?: string;
  entitiesOut?: string;
  tokenType?: string;
  wait?: string;
}

interface ReidentifyOptions extends ClientOptions {
  vault?: string;
  out?: string;
  plaintext?: string;
  masked?: string;
  redacted?: string;
}

const POLL_MS = 500;
const TOKEN_TYPES = ['entity_unq_counter', 'entity_only', 'vault_token'];
const REIDENTIFY_FORMATS = ['txt', 'csv', 'json', 'xml'];

/** §6.4: the endpoint Skyflow's SDKs call for a file of this extension. */
const ENDPOINT_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'file/text',
  mp3: 'file/audio',
  wav: 'file/audio',
  pdf: 'file/document/pdf',
  jpg: 'file/image',
  jpeg: 'file/image',
  png: 'file/image',
  bmp: 'file/image',
  tif: 'file/image',
  tiff: 'file/image',
  ppt: 'file/presentation',
  pptx: 'file/presentation',
  csv: 'file/spreadsheet',
  xls: 'file/spreadsheet',
  xlsx: 'file/spreadsheet',
  doc: 'file/document',
  docx: 'file/document',
  json: 'file/structured_text',
  xml: 'file/structured_text',
};

function extensionOf(file: string): string {
  const ext = path.extname(file).slice(1).toLowerCase();
  if (!ext) throw new CliError(`${file}: the file name needs an extension (txt, csv, json, xml, xlsx, docx)`, 2);
  return ext;
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
  }
}

function writeOutput(file: string, bytes: Buffer): void {
  try {
    writeFileSync(file, bytes, { mode: 0o600 });
  } catch (err) {
    throw new CliError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
  }
}

/** `dir/name.<suffix>.ext` next to the input. */
function besideInput(file: string, suffix: string): string {
  const { dir, name, ext } = path.parse(file);
  return path.join(dir, `${name}.${suffix}${ext}`);
}

function typeList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/** --vault, else $STRONGROOM_VAULT, else the caller's only vault. */
async function vaultOf(connection: Connection, given: string | undefined): Promise<string> {
  const vault = given ?? (process.env.STRONGROOM_VAULT || undefined);
  if (vault !== undefined) {
    if (!/^[0-9a-f]{32}$/.test(vault)) throw new CliError('--vault must be a vault ID (32 hex characters)', 2);
    return vault;
  }
  const vaults = await listAll<{ ID: string }>(connection, '/v1/vaults', 'vaults');
  if (vaults.length === 1) return (vaults[0] as { ID: string }).ID;
  throw new CliError(
    vaults.length === 0
      ? 'there is no vault to use: create one first'
      : 'several vaults exist: pick one with --vault <vaultID>',
    2,
  );
}

function waitSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new CliError('--wait must be a number of seconds', 2);
  return Number(value);
}

/** Polls a run until it ends (or `waitSeconds` pass), showing its progress on a terminal. */
async function follow(
  connection: Connection,
  vault: string,
  runId: string,
  options: { json?: boolean; waitSeconds: number | undefined; label: string },
): Promise<RunView> {
  const runPath = `/v1/detect/runs/${encodeURIComponent(runId)}?vault_id=${vault}`;
  const get = () => connection.client.request<RunView>('GET', runPath, { token: connection.token });
  const deadline =
    options.waitSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.waitSeconds * 1000;
  const bar =
    options.json || !process.stderr.isTTY
      ? undefined
      : new SingleBar({
          format: `${options.label} [{bar}] {percentage}%`,
          stream: process.stderr,
          hideCursor: true,
        });
  let run = await get();
  bar?.start(Math.max(run.progress?.total ?? 0, 1), run.progress?.done ?? 0);
  let lastLine = '';
  while (run.status === 'IN_PROGRESS' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    run = await get();
    const { done = 0, total = 0 } = run.progress ?? {};
    if (bar) {
      bar.setTotal(Math.max(total, 1));
      bar.update(done);
    } else if (!options.json && total > 0) {
      const line = `${options.label}: ${Math.floor((done / total) * 100)}%`;
      if (line !== lastLine) process.stderr.write(`${line}\n`);
      lastLine = line;
    }
  }
  if (bar) {
    if (run.status === 'SUCCESS') bar.update(bar.getTotal());
    bar.stop();
  }
  return run;
}

/** Writes a finished run's file (and its entities, if asked); returns where. */
function saveRun(run: RunView, out: string, entitiesOut: string | undefined): { file: string; entities?: string } {
  const [main] = run.output;
  if (!main) throw new CliError('the run succeeded but has no output');
  writeOutput(out, Buffer.from(main.processedFile, 'base64'));
  if (entitiesOut === undefined) return { file: out };
  const lists = run.output.filter((o) => o.processedFileType === 'entities');
  const entities = lists.flatMap(
    (o) => JSON.parse(Buffer.from(o.processedFile, 'base64').toString('utf8')) as unknown[],
  );
  writeOutput(entitiesOut, Buffer.from(`${JSON.stringify(entities, null, 2)}\n`));
  return { file: out, entities: entitiesOut };
}

function finishRun(
  options: ClientOptions,
  vault: string,
  runId: string,
  run: RunView,
  out: string,
  entitiesOut: string | undefined,
): void {
  if (run.status === 'FAILED') throw new CliError(`run ${runId} failed: ${run.message || 'no reason given'}`);
  if (run.status !== 'SUCCESS') {
    output(
      options,
      { runId, vaultID: vault, status: run.status, progress: run.progress },
      `Run ${runId} is still in progress. Fetch its result later with: strongroom detect run ${runId} --vault ${vault} --out ${out}`,
    );
    return;
  }
  const saved = saveRun(run, out, entitiesOut);
  const counts = run.wordCharacterCount;
  output(
    options,
    { runId, vaultID: vault, status: run.status, out: saved.file, entitiesOut: saved.entities, ...counts },
    [
      `De-identified file written to ${saved.file}${counts ? ` (${counts.wordCount} words, ${counts.characterCount} characters)` : ''}.`,
      ...(saved.entities ? [`Entities written to ${saved.entities}.`] : []),
    ],
  );
}

export function registerDetect(program: Command): void {
  const detect = program
    .command('detect')
    .description('de-identify and re-identify files with Detect (txt, csv, json, xml, xlsx, docx)');

  addClientOptions(
    detect
      .command('deidentify')
      .description('replace the personal data in a file by placeholders or vault tokens')
      .argument('<file>', 'the file to de-identify; its extension gives the format')
      .option('--vault <vaultID>', 'the vault (default: $STRONGROOM_VAULT, else your only vault)')
      .option('--out <file>', 'where to write the result (default: <name>.deidentified.<ext> beside the input)')
      .option('--entities <types>', 'comma-separated entity types to find (default: all)')
      .option('--entities-out <file>', 'also write the entities found (JSON; holds the values found)')
      .option('--token-type <type>', `how entities are written: ${TOKEN_TYPES.join(', ')} (default entity_unq_counter)`)
      .option('--wait <seconds>', 'stop waiting after this long (default: until the run ends)'),
  ).action(async (file: string, options: DeidentifyOptions) => {
    const ext = extensionOf(file);
    const endpoint = ENDPOINT_BY_EXTENSION[ext] ?? 'file';
    if (options.tokenType !== undefined && !TOKEN_TYPES.includes(options.tokenType)) {
      throw new CliError(`--token-type must be one of ${TOKEN_TYPES.join(', ')}`, 2);
    }
    const wait = waitSeconds(options.wait);
    const input = readInput(file);
    const connection = await connect(options);
    const vault = await vaultOf(connection, options.vault);
    const entityTypes = typeList(options.entities);
    const { run_id: runId } = await connection.client.request<{ run_id: string }>(
      'POST',
      `/v1/detect/deidentify/${endpoint}`,
      {
        token: connection.token,
        body: {
          vault_id: vault,
          file: { base64: input.toString('base64'), data_format: ext },
          ...(entityTypes && { entity_types: entityTypes }),
          ...(options.tokenType && { token_type: { default: options.tokenType } }),
        },
      },
    );
    const run = await follow(connection, vault, runId, {
      json: options.json,
      waitSeconds: wait,
      label: `De-identifying ${path.basename(file)}`,
    });
    finishRun(options, vault, runId, run, options.out ?? besideInput(file, 'deidentified'), options.entitiesOut);
  });

  addClientOptions(
    detect
      .command('run')
      .description('fetch the result of a de-identification run (one that was still in progress)')
      .argument('<runID>')
      .option('--vault <vaultID>', 'the vault (default: $STRONGROOM_VAULT, else your only vault)')
      .requiredOption('--out <file>', 'where to write the de-identified file')
      .option('--entities-out <file>', 'also write the entities found (JSON; holds the values found)')
      .option('--wait <seconds>', 'stop waiting after this long (default: until the run ends)'),
  ).action(async (runId: string, options: DeidentifyOptions & { out: string }) => {
    const wait = waitSeconds(options.wait);
    const connection = await connect(options);
    const vault = await vaultOf(connection, options.vault);
    const run = await follow(connection, vault, runId, {
      json: options.json,
      waitSeconds: wait,
      label: `Run ${runId}`,
    });
    finishRun(options, vault, runId, run, options.out, options.entitiesOut);
  });

  addClientOptions(
    detect
      .command('reidentify')
      .description('restore the values of the vault tokens in a de-identified txt, csv, json or xml file')
      .argument('<file>', 'the de-identified file')
      .option('--vault <vaultID>', 'the vault (default: $STRONGROOM_VAULT, else your only vault)')
      .option('--out <file>', 'where to write the result (default: <name>.reidentified.<ext> beside the input)')
      .option('--plaintext <types>', 'entity types to restore as plain values (the default for unlisted types)')
      .option('--masked <types>', 'entity types to restore masked')
      .option('--redacted <types>', 'entity types to leave as [TYPE]'),
  ).action(async (file: string, options: ReidentifyOptions) => {
    const ext = extensionOf(file);
    if (!REIDENTIFY_FORMATS.includes(ext)) {
      throw new CliError(`re-identification takes ${REIDENTIFY_FORMATS.join(', ')} files, not .${ext}`, 2);
    }
    const input = readInput(file);
    const connection = await connect(options);
    const vault = await vaultOf(connection, options.vault);
    const format = {
      ...(typeList(options.plaintext) && { plaintext: typeList(options.plaintext) }),
      ...(typeList(options.masked) && { masked: typeList(options.masked) }),
      ...(typeList(options.redacted) && { redacted: typeList(options.redacted) }),
    };
    const result = await connection.client.request<{ output: { processed_file: string } }>(
      'POST',
      '/v1/detect/reidentify/file',
      {
        token: connection.token,
        body: { vault_id: vault, file: { base64: input.toString('base64'), data_format: ext }, format },
      },
    );
    const out = options.out ?? besideInput(file, 'reidentified');
    writeOutput(out, Buffer.from(result.output.processed_file, 'base64'));
    output(options, { vaultID: vault, out }, `Re-identified file written to ${out}.`);
  });
}
