import { randomUUID } from 'node:crypto';
import {
  type DeidentifyStringResponse,
  type DetokenizeItem,
  deidentifyString,
  type ReidentifyFormat,
  reidentifyFile,
  reidentifyString,
  type TokenTypeOptions,
  type Transformations,
} from '@strongroom/detect';
import type { DataAccess, Decision } from '../access/data-access.js';
import type { Principal } from '../auth/principal.js';
import type { Keyring, VaultKeys } from '../crypto/keyring.js';
import { AppError, badRequest, notFound } from '../errors.js';
import type { DetectRunRow, Store } from '../store/types.js';
import type { VaultService } from '../vault/vault-service.js';
import { withEngineErrors } from './engine-errors.js';
import { allowsVaultTokens, deidentifyFormatOf, type FileEndpoint, reidentifyFormatOf } from './file-endpoints.js';
import { sealPart } from './run-sealing.js';
import { type RunView, runView } from './run-view.js';
import type { DetectVaultTokens } from './vault-tokens.js';

/**
 * What a Detect call does to a vault's data: de-identification may store values (`TOKENIZATION`),
 * re-identification reveals them (`DETOKENIZATION`).
 */
export type DetectAction = 'TOKENIZATION' | 'DETOKENIZATION';

/** The §6.1 options of a de-identification, as validated (null and `{}` already read as "not set"). */
export interface DeidentifyOptions {
  readonly entity_types?: string[] | undefined;
  readonly token_type?: TokenTypeOptions | undefined;
  readonly allow_regex?: string[] | undefined;
  readonly restrict_regex?: string[] | undefined;
  readonly transformations?: Transformations | undefined;
}

export interface DeidentifyTextInput extends DeidentifyOptions {
  readonly vault_id: string;
  readonly text: string;
  readonly configuration_id?: string | undefined;
}

export interface ReidentifyTextInput {
  readonly vault_id: string;
  readonly text: string;
  readonly format?: ReidentifyFormat | undefined;
}

export interface FileInput {
  readonly base64: string;
  readonly data_format?: string | undefined;
  readonly skyflow_id?: string | undefined;
}

export interface DeidentifyFileInput extends DeidentifyOptions {
  readonly vault_id: string;
  readonly file: FileInput;
  readonly configuration_id?: string | undefined;
}

export interface ReidentifyFileInput {
  readonly vault_id: string;
  readonly file: FileInput;
  readonly format?: ReidentifyFormat | undefined;
}

/** §6.6 answer (snake_case, unlike the run status). */
export interface ReidentifyFileResult {
  readonly status: 'SUCCESS';
  readonly output_type: 'BASE64';
  readonly output: {
    readonly processed_file: string;
    readonly processed_file_type: 'reidentified_file';
    readonly processed_file_extension: string;
  };
}

/** The options a run keeps (sealed) for its worker. */
export interface RunOptions extends DeidentifyOptions {
  readonly format: string;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * The Detect API (§6) over a vault: text de-/re-identification, file runs and their status. Values
 * de-identified with `vault_token` are stored as the vault's tokens ({@link DetectVaultTokens}); file runs
 * are stored sealed and processed by a {@link DetectRunWorker} on whichever node claims them.
 */
export class DetectService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly vaults: VaultService,
    private readonly dataAccess: DataAccess,
    private readonly tokens: DetectVaultTokens,
    private readonly options: {
      /** Largest decoded file accepted (413 beyond). */
      readonly maxFileBytes: number;
      /** Called when a run has been stored, so that this node's worker picks it up at once. */
      readonly onRunCreated?: () => void;
      readonly now?: () => number;
    },
  ) {}

  /**
   * The one access decision of Detect: whether the caller may do `action` in the vault. Throws 403
   * otherwise. Every endpoint asks here and nowhere else.
   */
  async authorize(principal: Principal, vaultId: string, action: DetectAction): Promise<Decision> {
    // Detect's values are not in a table of the schema: system roles and rules without ON decide.
    const vaultAccess = await this.dataAccess.forVault(principal, vaultId);
    return vaultAccess.require(action);
  }

  /** Re-identification under the caller's cap: MASKED turns plain values masked, REDACTED reveals nothing. */
  private detokenizer(vaultId: string, decision: Decision) {
    return async (items: readonly DetokenizeItem[]) => {
      if (decision.redaction === 'REDACTED') return items.map(() => null);
      const capped =
        decision.redaction === 'MASKED' ? items.map((item) => ({ ...item, redaction: 'masked' as const })) : items;
      return this.tokens.lookUp(await this.keys(vaultId), capped);
    };
  }

  /** §6.2. */
  async deidentifyText(principal: Principal, input: DeidentifyTextInput): Promise<DeidentifyStringResponse> {
    await this.authorize(principal, input.vault_id, 'TOKENIZATION');
    rejectConfigurationId(input.configuration_id);
    await this.vaults.open(input.vault_id);
    return withEngineErrors(() =>
      deidentifyString(
        { text: input.text, ...engineOptions(input) },
        { tokenizer: async (items) => this.tokens.tokenize(await this.keys(input.vault_id), items) },
      ),
    );
  }

  /** §6.3: vault tokens in the text are replaced by their values (or masked, or `[TYPE]`); others stay. */
  async reidentifyText(principal: Principal, input: ReidentifyTextInput): Promise<{ text: string }> {
    const decision = await this.authorize(principal, input.vault_id, 'DETOKENIZATION');
    await this.vaults.open(input.vault_id);
    return withEngineErrors(() =>
      reidentifyString(
        { text: input.text, format: input.format ?? null },
        { detokenize: this.detokenizer(input.vault_id, decision) },
      ),
    );
  }

  /** §6.4: stores the file (sealed) as a run for a worker and returns its ID at once. */
  async startRun(
    principal: Principal,
    endpoint: FileEndpoint,
    input: DeidentifyFileInput,
  ): Promise<{ run_id: string }> {
    await this.authorize(principal, input.vault_id, 'TOKENIZATION');
    rejectConfigurationId(input.configuration_id);
    const format = deidentifyFormatOf(endpoint, input.file.data_format);
    if (!allowsVaultTokens(endpoint, format) && asksForVaultTokens(input.token_type)) {
      throw badRequest(
        `token_type vault_token is not available on ${endpoint.path} for ${format} files; use /v1/detect/deidentify/file, /file/text, /file/structured_text, or /file/spreadsheet with a CSV file.`,
      );
    }
    const bytes = this.decodeFile(input.file);
    await this.vaults.open(input.vault_id);
    const keys = await this.keys(input.vault_id);
    const id = randomUUID();
    const now = this.now();
    const options: RunOptions = {
      format,
      ...engineOptions({ ...input, transformations: endpoint.transformations ? input.transformations : undefined }),
    };
    const row: DetectRunRow = {
      id,
      vaultId: input.vault_id,
      status: 'IN_PROGRESS',
      endpoint: endpoint.name,
      dataFormat: format,
      options: sealPart(keys, id, 'options', Buffer.from(JSON.stringify(options), 'utf8')),
      input: sealPart(keys, id, 'input', bytes),
      output: null,
      entities: null,
      keyVersion: keys.activeVersion,
      inputBytes: bytes.length,
      outputBytes: null,
      wordCount: null,
      characterCount: null,
      message: '',
      progressDone: 0,
      progressTotal: 0,
      attempts: 0,
      claimedBy: null,
      leaseUntil: null,
      createdBy: principal.serviceAccountId,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    await this.store.detectRuns.insert(row);
    this.options.onRunCreated?.();
    return { run_id: id };
  }

  /**
   * §6.5. A run is read through its vault: one of another vault, or none, is a 404. Its creator needs the
   * right that started it; anyone else also the right to see values, since the entities list holds them.
   */
  async getRun(principal: Principal, runId: string, vaultId: string): Promise<RunView> {
    await this.authorize(principal, vaultId, 'TOKENIZATION');
    const row = await this.store.detectRuns.get(runId);
    if (!row || row.vaultId !== vaultId) throw notFound(`Detect run ${runId} wasn't found in vault ${vaultId}.`);
    if (row.createdBy !== principal.serviceAccountId) await this.authorize(principal, vaultId, 'DETOKENIZATION');
    return runView(row, await this.keys(vaultId));
  }

  /** §6.6: restores vault tokens in a txt, csv, json or xml file, synchronously. */
  async reidentifyFile(principal: Principal, input: ReidentifyFileInput): Promise<ReidentifyFileResult> {
    const decision = await this.authorize(principal, input.vault_id, 'DETOKENIZATION');
    const format = reidentifyFormatOf(input.file.data_format ?? '');
    const bytes = this.decodeFile(input.file);
    await this.vaults.open(input.vault_id);
    const { output } = await withEngineErrors(() =>
      reidentifyFile(
        bytes,
        format,
        { format: input.format ?? null },
        { detokenize: this.detokenizer(input.vault_id, decision) },
      ),
    );
    return {
      status: 'SUCCESS',
      output_type: 'BASE64',
      output: {
        processed_file: output.toString('base64'),
        processed_file_type: 'reidentified_file',
        processed_file_extension: format,
      },
    };
  }

  private keys(vaultId: string): Promise<VaultKeys> {
    return this.keyring.vault(vaultId, this.store);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The file's bytes: base64 checked, its decoded size within `maxFileBytes` (413 beyond). */
  private decodeFile(file: FileInput): Buffer {
    if (file.skyflow_id !== undefined) {
      throw badRequest('file.skyflow_id is not supported: send the file itself in file.base64.');
    }
    const text = file.base64;
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    const decodedBytes = Math.floor((text.length * 3) / 4) - padding;
    if (decodedBytes > this.options.maxFileBytes) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `The file is larger than this server accepts (at most ${this.options.maxFileBytes} bytes).`,
      );
    }
    if (!BASE64.test(text) || text.length % 4 === 1) throw badRequest('file.base64 is not valid base64.');
    return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  }
}

/** The request fields the engine reads; empty lists and objects mean "not set" (§6.1). */
function engineOptions(input: DeidentifyOptions): DeidentifyOptions {
  const shift = input.transformations?.shift_dates;
  const hasShift = shift != null && (shift.min_days != null || shift.max_days != null);
  return {
    ...(input.entity_types?.length ? { entity_types: input.entity_types } : {}),
    ...(input.token_type ? { token_type: input.token_type } : {}),
    ...(input.allow_regex?.length ? { allow_regex: input.allow_regex } : {}),
    ...(input.restrict_regex?.length ? { restrict_regex: input.restrict_regex } : {}),
    ...(hasShift ? { transformations: { shift_dates: shift } } : {}),
  };
}

function asksForVaultTokens(tokenType: TokenTypeOptions | undefined): boolean {
  return tokenType?.default === 'vault_token' || (tokenType?.vault_token?.length ?? 0) > 0;
}

/** Saved Detect configurations do not exist here: a request naming one cannot be honoured. */
function rejectConfigurationId(configurationId: string | undefined): void {
  if (configurationId) throw badRequest('configuration_id is not supported: give the options in the request.');
}
