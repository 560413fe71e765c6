import { access, vaultResource } from '../../access/access-control.js';
import type { Principal } from '../../auth/principal.js';
import type { Keyring } from '../../crypto/keyring.js';
import { AppError, badRequest, notFound } from '../../errors.js';
import type { Store, TokenValueRow } from '../../store/types.js';
import { applyRedaction, effectiveRedaction, type RedactionLevel } from '../redaction/index.js';
import type { ColumnSpec, Datatype, VaultSchemaModel } from '../schema/model.js';
import { isDeterministic } from '../tokens/index.js';
import type { VaultService } from '../vault-service.js';
import { tokenContext, tokenGroupOf, tokenValueContext } from './table-context.js';
import { type CanonicalValue, canonicalValue, indexBytes, valueFromBytes } from './values.js';

/** Most tokens one detokenize or tokenize request may carry. */
export const MAX_TOKENS_PER_REQUEST = 1000;
const SIGNED_TOKEN_PREFIX = 'signed_token_';

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
    private readonly now: () => number = Date.now,
  ) {}

  async detokenize(principal: Principal, vaultId: string, request: DetokenizeRequest) {
    access.require(principal, 'tokens.detokenize', vaultResource(vaultId));
    const params = request.detokenizationParameters;
    if (params.length === 0) throw badRequest('detokenizationParameters must hold at least one token.');
    if (params.length > MAX_TOKENS_PER_REQUEST)
      throw badRequest(`At most ${MAX_TOKENS_PER_REQUEST} tokens per request.`);
    // Keys first (cached), since tokens are looked up by their keyed hash; keys that cannot be loaded
    // usually mean there is no such vault, which open() then reports.
    const keys = await this.keyring.vault(vaultId, this.store).catch(async (err: unknown) => {
      await this.vaults.open(vaultId);
      throw err;
    });
    const hashes = params.map((p) => (p.token.startsWith(SIGNED_TOKEN_PREFIX) ? undefined : keys.tokenHash(p.token)));
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
    const records: DetokenizedRecord[] = params.map((param, i) => {
      try {
        const hash = hashes[i];
        if (!hash) throw badRequest('Signed data tokens are not supported yet.');
        const row = byHash.get(hash.toString('latin1'));
        if (!row || (row.expiresAt !== null && row.expiresAt <= now)) throw notFound(TOKEN_NOT_FOUND);
        const column = columnOf(model, row);
        const value = valueFromBytes(keys.open(tokenValueContext(row.tokenHash), row.value));
        const level = effectiveRedaction(column, param.redaction ?? 'DEFAULT');
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
    access.require(principal, 'tokens.tokenize', vaultResource(vaultId));
    const params = request.tokenizationParameters;
    if (params.length === 0) throw badRequest('tokenizationParameters must hold at least one value.');
    if (params.length > MAX_TOKENS_PER_REQUEST)
      throw badRequest(`At most ${MAX_TOKENS_PER_REQUEST} values per request.`);
    const { model } = await this.vaults.open(vaultId);
    const keys = await this.keyring.vault(vaultId, this.store);
    const now = this.now();
    const records: { token: string }[] = [];
    for (const [i, param] of params.entries()) {
      const { group, table, column } = resolveGroup(model, param, i);
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
