import { denied, type VaultAccess } from '../../access/data-access.js';
import type { AccessQuestion } from '../../access/policy/decide.js';
import { forbidden } from '../../errors.js';
import type { Repositories } from '../../store/types.js';
import type { AppliedRedaction } from '../redaction/index.js';
import { defaultRedaction } from '../redaction/levels.js';
import type { ColumnSpec } from '../schema/model.js';
import type { ReadOptions } from './record-ops.js';
import { loadRowValues } from './row-values.js';
import type { TableContext } from './table-context.js';

/*
 * How the record paths (get, batch, update, delete, files) ask the one decision point, column by column
 * and, where a policy has a row filter, record by record. Kept apart from the record operations so that
 * those stay about storage, and every path shares one reading of the rules.
 */

type Rows = AccessQuestion['rows'];

const question = (ctx: TableContext, column: ColumnSpec) => ({
  table: ctx.table.name,
  column: column.name,
  columnDefault: defaultRedaction(column),
});

/** What a read may fetch and show: the columns to load and, per record, each column's redaction cap. */
export interface ReadGrant {
  readonly columns: string[] | undefined;
  readonly caps: ReadOptions['caps'];
}

/**
 * The READ decision for the given records of one table. Columns the caller asked for by name must be
 * readable (403 otherwise); without a list, the columns they may not read are left out. Under a row
 * filter the decision is per record: columns it refuses are left out of that record, and a record with
 * no readable column is left out altogether. A caller who may read no column at all gets a 403.
 */
export async function grantRead(
  access: VaultAccess,
  ctx: TableContext,
  repos: Pick<Repositories, 'records'>,
  requested: readonly string[] | undefined,
  ids: readonly string[],
  now: number,
): Promise<ReadGrant> {
  const columns = requested ? [...requested] : undefined;
  if (access.unconditional && access.grantsBySystemRole('READ')) return { columns, caps: undefined };
  const names = requested ?? ctx.table.columns.filter((c) => !c.system).map((c) => c.name);
  const fixed = new Map<string, AppliedRedaction>();
  const perRecord: ColumnSpec[] = [];
  for (const name of names) {
    const column = ctx.table.columnsByName.get(name);
    if (!column || column.system) continue;
    if (access.needsRows('READ', question(ctx, column))) {
      perRecord.push(column);
      continue;
    }
    const decision = access.decide('READ', question(ctx, column));
    if (decision.allowed) fixed.set(name, decision.redaction ?? 'REDACTED');
    else if (requested) throw denied(ctx.vaultId, decision);
  }
  if (fixed.size === 0 && perRecord.length === 0 && names.length > 0) {
    throw forbidden(`Access denied in vault ${ctx.vaultId}: no column of table "${ctx.table.name}" may be read.`, [
      { action: 'READ', table: ctx.table.name, vault: ctx.vaultId },
    ]);
  }
  const fetched = [...fixed.keys(), ...perRecord.map((c) => c.name)];
  if (perRecord.length === 0) return { columns: fetched, caps: () => fixed };
  const rows = await loadRowValues(
    repos,
    ctx.keys,
    ctx.vaultId,
    ctx.table.name,
    ids,
    access.filterColumns('READ', ctx.table.name),
    now,
  );
  return {
    columns: fetched,
    caps: (id) => {
      const caps = new Map(fixed);
      const values: Rows = { [ctx.table.name]: rows.get(id) ?? {} };
      for (const column of perRecord) {
        const decision = access.decide('READ', { ...question(ctx, column), rows: values });
        if (decision.allowed) caps.set(column.name, decision.redaction ?? 'REDACTED');
      }
      return caps.size > 0 ? caps : undefined;
    },
  };
}

/**
 * Checks a CREATE or UPDATE of the given fields of one record. A row filter reads the record as it will
 * be for CREATE (the values written) and as it is for UPDATE (the stored values, loaded here), so a
 * caller cannot move a record out of their reach or into it unseen.
 */
export async function requireWrite(
  access: VaultAccess,
  ctx: TableContext,
  repos: Pick<Repositories, 'records'>,
  action: 'CREATE' | 'UPDATE',
  fields: Readonly<Record<string, unknown>>,
  recordId: string | undefined,
  now: number,
): Promise<void> {
  if (access.unconditional && access.grantsBySystemRole(action)) return;
  let rows: Rows;
  for (const name of Object.keys(fields)) {
    const column = ctx.table.columnsByName.get(name);
    // Unknown and system columns are refused by the write itself, with a 400 that names them.
    if (!column || column.system) continue;
    const q = question(ctx, column);
    if (rows === undefined && access.needsRows(action, q)) {
      if (action === 'CREATE' || recordId === undefined) rows = { [ctx.table.name]: fields };
      else {
        const stored = await loadRowValues(
          repos,
          ctx.keys,
          ctx.vaultId,
          ctx.table.name,
          [recordId],
          access.filterColumns(action, ctx.table.name),
          now,
        );
        rows = { [ctx.table.name]: stored.get(recordId) ?? {} };
      }
    }
    access.require(action, { ...q, rows });
  }
}

/**
 * Checks a DELETE of records of one table (`'*'`: all of them). DELETE is decided per table: a rule on
 * any column of the table counts. Under a row filter each record is decided on its stored values, and
 * deleting the whole table is refused (its records would each need deciding).
 */
export async function requireDelete(
  access: VaultAccess,
  ctx: TableContext,
  repos: Pick<Repositories, 'records'>,
  ids: readonly string[] | '*',
  now: number,
): Promise<void> {
  const q = { table: ctx.table.name };
  if (!access.needsRows('DELETE', q)) {
    access.require('DELETE', q);
    return;
  }
  if (ids === '*') {
    throw forbidden(
      `Access denied in vault ${ctx.vaultId}: a row filter decides which records of "${ctx.table.name}" the caller may delete; delete them by ID.`,
    );
  }
  const rows = await loadRowValues(
    repos,
    ctx.keys,
    ctx.vaultId,
    ctx.table.name,
    ids,
    access.filterColumns('DELETE', ctx.table.name),
    now,
  );
  for (const id of ids) {
    const decision = access.decide('DELETE', { ...q, rows: { [ctx.table.name]: rows.get(id) ?? {} } });
    if (!decision.allowed) throw denied(ctx.vaultId, decision);
  }
}

/** Checks that a column may be searched by value (get by `column_values`): it must be readable. */
export function requireLookup(access: VaultAccess, ctx: TableContext, column: ColumnSpec): void {
  const q = question(ctx, column);
  // Under a row filter the records found are decided one by one when they are read.
  if (column.system || access.needsRows('READ', q)) return;
  access.require('READ', q);
}
