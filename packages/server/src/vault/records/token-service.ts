import { type DataAccess, denied, type VaultAccess } from '../../access/data-access.js';
import type { AccessQuestion, Decision } from '../../access/policy/decide.js';
import type { Principal, RequestContext } from '../../auth/principal.js';
import { isSignedDataToken, type SignedDataTokens } from '../../auth/signed-data-tokens.js';
import type { Keyring, VaultKeys } from '../../crypto/keyring.js';
import { AppError, badRequest, forbidden, notFound } from '../../errors.js';
import type { Store, TokenValueRow } from '../../store/types.js';
import { applyRedaction, effectiveRedaction, type RedactionLevel } from '../redaction/index.js';
import { defaultRedaction, REDACTION_STRICTNESS } from '../redaction/levels.js';
import type { ColumnSpec, Datatype, VaultSchemaModel } from '../schema/model.js';
import { isDeterministic } from '../tokens/index.js';
import type { VaultService } from '../vault-service.js';
import { loadRowValues } from './row-values.js';
import { tokenContext, tokenGroupOf, tokenValueContext } from './table-context.js';
import { type CanonicalValue, canonicalValue, indexBytes, valueFromBytes } from './values.js';

/** Most tokens one detokenize or tokenize request may carry. */
export const MAX_TOKENS_PER_REQUEST = 1000;

export type ValueType = 'STRING' | 'INTEGER' | 'FLOAT' | 'BOOL' | 'DATETIME' | 'JSON' | 'ARRAY' | 'DATE' | 'TIME';

export interface DetokenizeRequest {
  readonly detokenizationParameters: readonly {
    readonly token: string;
    readonly redaction?: RedactionLevel | undefined;
  }[];
  readonly continueOnError?: boolean | undefined;
  readonly downloadURL?: boolean | undefined;
}

export type DetokenizedRecord =
  | { readonly token: string; readonly valueType: ValueType; readonly value: string }
  | { readonly token: string; readonly error: string };

export interface TokenizeRequest {
  readonly tokenizationParameters: readonly {
    readonly value: string;
    readonly columnGroup?: string | undefined;
    readonly table?: string | undefined;
    readonly column?: string | undefined;
  }[];
}

const TOKEN_NOT_FOUND = 'Token not found.';

/** Tokenize (value → its existing deterministic token) and detokenize (token → value) of §5.9 and §5.10. */
export class TokenService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly vaults: VaultService,
    private readonly dataAccess: DataAccess,
    private readonly signedTokens: SignedDataTokens,
    private readonly now: () => number = Date.now,
  ) {}

  async detokenize(principal: Principal, vaultId: string, request: DetokenizeRequest) {
    const params = request.detokenizationParameters;
    if (params.length === 0) throw badRequest('detokenizationParameters must hold at least one token.');
    if (params.length > MAX_TOKENS_PER_REQUEST)
      throw badRequest(`At most ${MAX_TOKENS_PER_REQUEST} tokens per request.`);
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('DETOKENIZATION');
    const unwrapped = await this.unwrap(principal, params);
    // Keys first (cached), since tokens are looked up by their keyed hash; keys that cannot be loaded
    // usually mean there is no such vault, which open() then reports.
    const keys = await this.keyring.vault(vaultId, this.store).catch(async (err: unknown) => {
      await this.vaults.open(vaultId);
      throw err;
    });
    const hashes = unwrapped.map((u) => ('token' in u ? keys.tokenHash(u.token) : undefined));
    // One read tells whether the vault exists, at which version, and finds the tokens.
    const { vaultVersion, rows } = await this.store.tokens.getValues(
      vaultId,
      hashes.filter((h): h is Buffer => h !== undefined),
    );
    if (vaultVersion === undefined) throw notFound(`Vault ${vaultId} wasn't found.`);
    const { model } = await this.vaults.open(vaultId, vaultVersion);
    // Keyed by the hash's bytes as a latin1 string: one character per byte, the cheapest exact key.
    const byHash = new Map<string, TokenValueRow>();
    for (const row of rows) byHash.set(row.tokenHash.toString('latin1'), row);
    const now = this.now();
    const filtered = access.unconditional ? undefined : await this.rowsForFilters(access, keys, model, rows, now);
    const records: DetokenizedRecord[] = params.map((param, i) => {
      try {
        const item = unwrapped[i] as Unwrapped;
        if ('error' in item) throw item.error;
        const row = byHash.get((hashes[i] as Buffer).toString('latin1'));
        if (!row || (row.expiresAt !== null && row.expiresAt <= now)) throw notFound(TOKEN_NOT_FOUND);
        const column = columnOf(model, row);
        const asker = item.context === undefined ? access : access.withContext(item.context);
        const decision = decideForToken(asker, row, column, filtered?.get(row.tokenHash.toString('latin1')));
        if (!decision.allowed) throw denied(vaultId, decision);
        const value = valueFromBytes(keys.open(tokenValueContext(row.tokenHash), row.value));
        const level = effectiveRedaction(column, param.redaction ?? 'DEFAULT', decision.redaction);
        const shown = applyRedaction(column, value, level);
        return {
          token: param.token,
          valueType: level === 'PLAIN_TEXT' ? valueTypeOf(column.datatype, value) : 'STRING',
          value: asText(shown),
        };
      } catch (err) {
        if (!(err instanceof AppError) || !request.continueOnError) throw err;
        return { token: param.token, error: err.message };
      }
    });
    return { records };
  }

  async tokenize(principal: Principal, vaultId: string, request: TokenizeRequest) {
    const params = request.tokenizationParameters;
    if (params.length === 0) throw badRequest('tokenizationParameters must hold at least one value.');
    if (params.length > MAX_TOKENS_PER_REQUEST)
      throw badRequest(`At most ${MAX_TOKENS_PER_REQUEST} values per request.`);
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('TOKENIZATION');
    const { model } = await this.vaults.open(vaultId);
    const keys = await this.keyring.vault(vaultId, this.store);
    const now = this.now();
    const records: { token: string }[] = [];
    for (const [i, param] of params.entries()) {
      const { group, table, column } = resolveGroup(model, param, i);
      access.require('TOKENIZATION', { table, column: column.name });
      let value: CanonicalValue;
      try {
        value = canonicalValue(table, column, param.value);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        throw notFound(`tokenizationParameters[${i}]: no token exists for this value.`);
      }
      const [row] = await this.store.tokens.findByValueIndex(vaultId, group, [
        keys.tokenValueIndex(group, indexBytes(value)),
      ]);
      if (!row || (row.expiresAt !== null && row.expiresAt <= now)) {
        throw notFound(`tokenizationParameters[${i}]: no token exists for this value.`);
      }
      records.push({ token: keys.open(tokenContext(row.tokenHash), row.token).toString('utf8') });
    }
    return { records };
  }

  /**
   * Signed data tokens verified and unwrapped; unsigned ones refused when the caller's service account
   * enforces signed tokens. A failure stays with its token (continueOnError reports it per token).
   */
  private async unwrap(
    principal: Principal,
    params: DetokenizeRequest['detokenizationParameters'],
  ): Promise<Unwrapped[]> {
    const enforce = principal.clientConfiguration.enforceSignedDataTokens;
    // The common case, on the hot path: nothing signed and nothing enforced, so nothing to await.
    if (!enforce && !params.some((p) => isSignedDataToken(p.token))) {
      return params.map(({ token }) => ({ token, context: undefined }));
    }
    return Promise.all(
      params.map(async ({ token }): Promise<Unwrapped> => {
        if (!isSignedDataToken(token)) {
          if (!enforce) return { token, context: undefined };
          return {
            error: forbidden('This service account accepts only signed data tokens (enforceSignedDataTokens).'),
          };
        }
        try {
          return await this.signedTokens.verify(principal, token);
        } catch (err) {
          if (err instanceof AppError) return { error: err };
          throw err;
        }
      }),
    );
  }

  /**
   * For tokens whose decision depends on a row filter: the values the filters read, of every record
   * holding the token, keyed by token hash. Tokens no filter concerns are left out (and cost nothing).
   */
  private async rowsForFilters(
    access: VaultAccess,
    keys: VaultKeys,
    model: VaultSchemaModel,
    rows: readonly TokenValueRow[],
    now: number,
  ): Promise<Map<string, Record<string, unknown>[]>> {
    const out = new Map<string, Record<string, unknown>[]>();
    const wanted = rows.filter((row) => {
      const column = model.tablesByName.get(row.table)?.columnsByName.get(row.column);
      return column !== undefined && access.needsRows('DETOKENIZATION', { table: row.table, column: row.column });
    });
    if (wanted.length === 0) return out;
    for (const row of wanted) out.set(row.tokenHash.toString('latin1'), []);
    const holders = await this.store.records.recordsOfTokens(
      access.vaultId,
      wanted.map((row) => row.tokenHash),
    );
    const byTable = new Map<string, typeof holders>();
    for (const holder of holders) byTable.set(holder.table, [...(byTable.get(holder.table) ?? []), holder]);
    for (const [table, list] of byTable) {
      const values = await loadRowValues(
        this.store,
        keys,
        access.vaultId,
        table,
        [...new Set(list.map((h) => h.recordId))],
        access.filterColumns('DETOKENIZATION', table),
        now,
      );
      for (const holder of list) {
        const row = values.get(holder.recordId);
        if (row) out.get(holder.tokenHash.toString('latin1'))?.push({ [table]: row });
      }
    }
    return out;
  }
}

type Unwrapped = { token: string; context: RequestContext | undefined } | { error: AppError };

/**
 * The decision on detokenizing one token. Under a row filter it is decided per record holding the
 * token: a DENY that matches any of them refuses; otherwise it is allowed when some record is visible
 * to the caller (all hold the same value), at the least redaction those records allow.
 */
function decideForToken(
  access: VaultAccess,
  row: TokenValueRow,
  column: ColumnSpec,
  holders: readonly Record<string, unknown>[] | undefined,
): Decision {
  const question = { table: row.table, column: row.column, columnDefault: defaultRedaction(column) };
  if (holders === undefined || holders.length === 0) return access.decide('DETOKENIZATION', question);
  const decisions = holders.map((rows) =>
    access.decide('DETOKENIZATION', { ...question, rows: rows as AccessQuestion['rows'] }),
  );
  const refused = decisions.find((d) => !d.allowed && d.decidedBy.length > 0);
  if (refused) return refused;
  const allowed = decisions.filter((d) => d.allowed);
  if (allowed.length === 0) return decisions[0] as Decision;
  return allowed.reduce((best, d) =>
    REDACTION_STRICTNESS[d.redaction ?? 'REDACTED'] < REDACTION_STRICTNESS[best.redaction ?? 'REDACTED'] ? d : best,
  );
}

function columnOf(model: VaultSchemaModel, row: Pick<TokenValueRow, 'table' | 'column'>): ColumnSpec {
  const column = model.tablesByName.get(row.table)?.columnsByName.get(row.column);
  // Columns holding values cannot be removed from a schema, so this only happens to a token being swept.
  if (!column) throw notFound(TOKEN_NOT_FOUND);
  return column;
}

/** The deterministic token group a tokenize parameter names (a column group, or a table and column). */
function resolveGroup(
  model: VaultSchemaModel,
  param: TokenizeRequest['tokenizationParameters'][number],
  i: number,
): { group: string; table: string; column: ColumnSpec } {
  const at = `tokenizationParameters[${i}]`;
  let table: string | undefined;
  let column: ColumnSpec | undefined;
  if (param.columnGroup) {
    for (const t of model.tables) {
      const member = t.columns.find((c) => c.columnGroup === param.columnGroup);
      if (member) {
        table = t.name;
        column = member;
        break;
      }
    }
    if (!table || !column) throw badRequest(`${at}: no column group "${param.columnGroup}" in this vault.`);
  } else if (param.table && param.column) {
    table = param.table;
    column = model.tablesByName.get(param.table)?.columnsByName.get(param.column);
    if (!column) throw badRequest(`${at}: no column "${param.table}.${param.column}" in this vault.`);
  } else {
    throw badRequest(`${at}: give a columnGroup, or a table and a column.`);
  }
  if (!column.tokenPolicy || !isDeterministic(column.tokenPolicy)) {
    throw badRequest(`${at}: "${param.columnGroup ?? `${table}.${column.name}`}" is not tokenized deterministically.`);
  }
  return { group: tokenGroupOf(table, column), table, column };
}

/** Detokenized values always travel as strings (§5.10). */
function asText(value: CanonicalValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function valueTypeOf(datatype: Datatype, value: CanonicalValue): ValueType {
  switch (datatype) {
    case 'DT_INT32':
    case 'DT_INT64':
      return 'INTEGER';
    case 'DT_FLOAT32':
    case 'DT_FLOAT64':
      return 'FLOAT';
    case 'DT_BOOL':
      return 'BOOL';
    case 'DT_DATETIME':
      return 'DATETIME';
    case 'DT_DATE':
      return 'DATE';
    case 'DT_TIME':
      return 'TIME';
    case 'DT_EMBEDDED':
      return Array.isArray(value) ? 'ARRAY' : typeof value === 'object' && value !== null ? 'JSON' : 'STRING';
    default:
      return 'STRING';
  }
}
