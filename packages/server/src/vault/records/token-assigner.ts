import { badRequest } from '../../errors.js';
import type { Repositories, TokenRow } from '../../store/types.js';
import type { ColumnSpec } from '../schema/model.js';
import {
  checkSuppliedToken,
  cryptoRandom,
  deterministicInput,
  deterministicRandom,
  generateToken,
  isDeterministic,
  TokenGenerationError,
} from '../tokens/index.js';
import { type TableContext, tokenContext, tokenGroupOf, tokenValueContext } from './table-context.js';
import { type CanonicalValue, indexBytes, valueBytes } from './values.js';

/** How many times a generated token that collides with an existing one is drawn again. */
const MAX_ATTEMPTS = 24;

/** A value of a tokenized column that needs its token. */
export interface TokenRequest {
  readonly column: ColumnSpec;
  readonly value: CanonicalValue;
  /** A token the client brought (byot); otherwise one is generated or, for deterministic types, reused. */
  readonly supplied?: string | undefined;
  /** Transient columns: when the value (and so its token) expires. */
  readonly expiresAt: number | null;
}

export interface AssignedToken {
  readonly token: string;
  readonly tokenHash: Buffer;
}

/** The text a token is generated from: strings as they are, anything else as its JSON. */
export function tokenText(value: CanonicalValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Finds or makes the tokens for a batch of values of one table, and writes the new token rows in the
 * caller's transaction.
 *
 * - Deterministic policies: a value that already has a token in its group gets that same token; a new
 *   value gets a token generated from a key private to the group, redrawn (with the next attempt number)
 *   when it collides with another value's token. Equal values within the batch share a token.
 * - Other policies: a fresh token per value, redrawn on collision.
 * - Supplied tokens (byot) must have the policy's shape and be unused (or already be this value's
 *   deterministic token).
 */
export async function assignTokens(
  tx: Repositories,
  ctx: TableContext,
  requests: readonly TokenRequest[],
  now: number,
): Promise<AssignedToken[]> {
  const { keys, vaultId, table } = ctx;
  const results: (AssignedToken | undefined)[] = new Array(requests.length);
  // Deterministic values: look the existing tokens up, per group, in one query each.
  const wanted = new Map<string, { group: string; valueIndex: Buffer; indexes: number[] }>();
  requests.forEach((request, i) => {
    const policy = request.column.tokenPolicy;
    if (!policy || !isDeterministic(policy)) return;
    const group = tokenGroupOf(table.name, request.column);
    const valueIndex = keys.tokenValueIndex(group, indexBytes(request.value));
    const key = `${group}\u0000${valueIndex.toString('base64')}`;
    const entry = wanted.get(key) ?? { group, valueIndex, indexes: [] };
    entry.indexes.push(i);
    wanted.set(key, entry);
  });
  const byGroup = new Map<string, Buffer[]>();
  for (const { group, valueIndex } of wanted.values()) byGroup.set(group, [...(byGroup.get(group) ?? []), valueIndex]);
  const existing = new Map<string, TokenRow>();
  for (const [group, indexes] of byGroup) {
    for (const row of await tx.tokens.findByValueIndex(vaultId, group, indexes)) {
      existing.set(`${group}\u0000${(row.valueIndex as Buffer).toString('base64')}`, row);
    }
  }

  const taken = new Set<string>();
  const newRows: TokenRow[] = [];
  const isTaken = async (hash: Buffer): Promise<boolean> =>
    taken.has(hash.toString('base64')) || (await tx.tokens.get(vaultId, hash)) !== undefined;

  // Deterministic values first: one token per distinct (group, value).
  for (const [key, entry] of wanted) {
    const first = requests[entry.indexes[0] as number] as TokenRequest;
    const policy = first.column.tokenPolicy;
    if (!policy) continue;
    const supplied = entry.indexes.map((i) => requests[i]?.supplied).find((t) => t !== undefined);
    const found = existing.get(key);
    let assigned: AssignedToken;
    if (found) {
      const token = keys.open(tokenContext(found.tokenHash), found.token).toString('utf8');
      if (supplied !== undefined && supplied !== token) {
        throw badRequest(
          `Column "${table.name}.${first.column.name}" is tokenized deterministically and this value already has another token.`,
        );
      }
      assigned = { token, tokenHash: found.tokenHash };
    } else {
      assigned = await makeToken(first, supplied, (attempt) =>
        generateToken(
          policy,
          tokenText(first.value),
          deterministicRandom(keys.tokenSeedKey(entry.group), deterministicInput(tokenText(first.value), attempt)),
        ),
      );
      newRows.push(tokenRow(ctx, first, assigned, entry.group, entry.valueIndex, now));
    }
    taken.add(assigned.tokenHash.toString('base64'));
    for (const i of entry.indexes) results[i] = assigned;
  }
  // Supplied tokens of the other policies, in order: each must be unused.
  for (const [i, request] of requests.entries()) {
    if (results[i] || request.supplied === undefined) continue;
    const assigned = await makeToken(request, request.supplied, () => {
      throw new Error('a supplied token is never generated');
    });
    taken.add(assigned.tokenHash.toString('base64'));
    newRows.push(tokenRow(ctx, request, assigned, tokenGroupOf(table.name, request.column), null, now));
    results[i] = assigned;
  }
  // Everything else: a fresh token each. All of them are drawn at once and checked against the store in
  // one query; those that collide (with a stored token or one drawn before) are drawn again.
  const random = cryptoRandom();
  let pending = requests.flatMap((_, i) => (results[i] ? [] : [i]));
  for (let attempt = 0; pending.length > 0; attempt++) {
    const drawn = pending.map((i) => {
      const request = requests[i] as TokenRequest;
      const policy = request.column.tokenPolicy;
      if (!policy) throw new Error(`column ${request.column.name} is not tokenized`);
      const where = `${table.name}.${request.column.name}`;
      if (attempt >= MAX_ATTEMPTS) {
        throw badRequest(
          `Cannot tokenize the value of column "${where}": its token format has no unused token left for it; widen the format.`,
        );
      }
      let token: string;
      try {
        token = generateToken(policy, tokenText(request.value), random);
      } catch (err) {
        if (err instanceof TokenGenerationError) {
          throw badRequest(`Cannot tokenize the value of column "${where}": ${err.message}.`);
        }
        throw err;
      }
      return { i, token, tokenHash: keys.tokenHash(token) };
    });
    const stored = new Set(
      (
        await tx.tokens.getMany(
          vaultId,
          drawn.map((d) => d.tokenHash),
        )
      ).map((row) => row.tokenHash.toString('base64')),
    );
    const again: number[] = [];
    for (const { i, token, tokenHash } of drawn) {
      const key = tokenHash.toString('base64');
      if (stored.has(key) || taken.has(key)) {
        again.push(i);
        continue;
      }
      taken.add(key);
      const request = requests[i] as TokenRequest;
      results[i] = { token, tokenHash };
      newRows.push(tokenRow(ctx, request, results[i], tokenGroupOf(table.name, request.column), null, now));
    }
    pending = again;
  }
  await tx.tokens.insertMany(newRows);
  return results as AssignedToken[];

  async function makeToken(
    request: TokenRequest,
    supplied: string | undefined,
    generate: (attempt: number) => string,
  ): Promise<AssignedToken> {
    const where = `${table.name}.${request.column.name}`;
    if (supplied !== undefined) {
      const check = checkSuppliedToken(request.column.tokenPolicy as NonNullable<ColumnSpec['tokenPolicy']>, supplied);
      if (!check.ok) throw badRequest(`Invalid token for column "${where}": ${check.reason}.`);
      const tokenHash = keys.tokenHash(supplied);
      if (await isTaken(tokenHash)) throw badRequest(`The token given for column "${where}" is already in use.`);
      return { token: supplied, tokenHash };
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let token: string;
      try {
        token = generate(attempt);
      } catch (err) {
        if (err instanceof TokenGenerationError) {
          throw badRequest(`Cannot tokenize the value of column "${where}": ${err.message}.`);
        }
        throw err;
      }
      const tokenHash = keys.tokenHash(token);
      if (!(await isTaken(tokenHash))) return { token, tokenHash };
    }
    throw badRequest(
      `Cannot tokenize the value of column "${where}": its token format has no unused token left for it; widen the format.`,
    );
  }
}

function tokenRow(
  ctx: TableContext,
  request: TokenRequest,
  assigned: AssignedToken,
  group: string,
  valueIndex: Buffer | null,
  now: number,
): TokenRow {
  return {
    vaultId: ctx.vaultId,
    tokenHash: assigned.tokenHash,
    token: ctx.keys.seal(tokenContext(assigned.tokenHash), Buffer.from(assigned.token, 'utf8')),
    value: ctx.keys.seal(tokenValueContext(assigned.tokenHash), valueBytes(request.value)),
    groupName: group,
    valueIndex,
    table: ctx.table.name,
    column: request.column.name,
    keyVersion: ctx.keys.activeVersion,
    expiresAt: request.expiresAt,
    createdAt: now,
  };
}
