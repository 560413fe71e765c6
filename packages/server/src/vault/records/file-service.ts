import type { Principal } from '../../auth/principal.js';
import { badRequest, notFound } from '../../errors.js';
import { newUuid } from '../../ids.js';
import type { Store } from '../../store/types.js';
import type { ColumnSpec } from '../schema/model.js';
import type { FileUrlSigner } from './file-urls.js';
import { grantRead, requireWrite } from './record-access.js';
import type { RecordService } from './record-service.js';
import type { TableContext } from './table-context.js';
import { valueBytes, valueFromBytes } from './values.js';

/** A file as a client uploaded it. */
export interface UploadedFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly data: Buffer;
}

/** What a file column's cell holds (sealed like any value); the bytes live in the files table. */
export interface FileMetadata {
  readonly fileName: string;
  readonly fileSizeKB: number;
  readonly fileType: string;
  readonly uploadedAt: number;
}

/** Context binding a file's sealed bytes to its cell. */
export const fileContext = (table: string, column: string, record: string): string[] => ['file', table, column, record];

/** Whether a stored cell value is a file's metadata (what file columns hold). */
export function isFileMetadata(value: unknown): value is FileMetadata {
  const v = value as Partial<FileMetadata> | null;
  return typeof v === 'object' && v !== null && typeof v.fileName === 'string' && typeof v.uploadedAt === 'number';
}

/** Public view of a file's metadata (§5.8 `fileMetadata`). */
export function publicMetadata(meta: FileMetadata): { fileName: string; fileSizeKB: number; fileType: string } {
  return { fileName: meta.fileName, fileSizeKB: meta.fileSizeKB, fileType: meta.fileType };
}

/**
 * Files in file columns (§5.8): upload into a new or existing record, delete, and download through
 * expiring signed URLs. File bytes are sealed under the vault's data key bound to their cell, exactly
 * like values, and rotate with them.
 */
export class FileService {
  constructor(
    private readonly store: Store,
    private readonly records: RecordService,
    private readonly signer: FileUrlSigner,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a file in `columnName` of record `recordId`, or of a new record when none is given. */
  async upload(
    principal: Principal,
    vaultId: string,
    tableName: string,
    columnName: string,
    recordId: string | undefined,
    file: UploadedFile,
  ): Promise<{ skyflowId: string; metadata: FileMetadata }> {
    const access = await this.records.dataAccess.forVault(principal, vaultId);
    const action = recordId ? 'UPDATE' : 'CREATE';
    access.requireAtAll(action, tableName);
    const ctx = await this.records.context(vaultId, tableName);
    const column = fileColumn(ctx, columnName);
    const id = recordId ?? newUuid();
    const now = this.now();
    await requireWrite(access, ctx, this.store, action, { [column.name]: null }, recordId, now);
    const metadata: FileMetadata = {
      fileName: cleanName(file.fileName),
      fileSizeKB: Math.ceil(file.data.length / 1024),
      fileType: file.mimeType || 'application/octet-stream',
      uploadedAt: now,
    };
    const cell = {
      column: column.name,
      value: ctx.keys.encrypt({ table: tableName, column: column.name, record: id }, valueBytes({ ...metadata })),
      keyVersion: ctx.keys.activeVersion,
      lookupIndex: null,
      uniqueIndex: null,
    };
    await this.store.transaction(async (tx) => {
      if (recordId) {
        if ((await tx.records.existing(vaultId, tableName, [recordId])).size === 0) {
          throw notFound(`Record ${recordId} wasn't found in table "${tableName}".`);
        }
        await tx.records.putCells(vaultId, tableName, id, [cell], now);
      } else {
        const missing = ctx.table.columns.find((c) => c.notNull && !c.system && c.name !== column.name);
        if (missing) {
          throw badRequest(
            `Column "${tableName}.${missing.name}" requires a value; create the record first, then upload.`,
          );
        }
        await tx.records.insertMany(vaultId, tableName, [{ id, createdAt: now, cells: [cell] }]);
      }
      await tx.files.put({
        vaultId,
        table: tableName,
        recordId: id,
        column: column.name,
        content: ctx.keys.seal(fileContext(tableName, column.name, id), file.data),
        keyVersion: ctx.keys.activeVersion,
        createdAt: now,
      });
    });
    return { skyflowId: id, metadata };
  }

  async deleteFile(principal: Principal, vaultId: string, tableName: string, recordId: string, columnName: string) {
    const access = await this.records.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('UPDATE', tableName);
    const ctx = await this.records.context(vaultId, tableName);
    const column = fileColumn(ctx, columnName);
    await requireWrite(access, ctx, this.store, 'UPDATE', { [column.name]: null }, recordId, this.now());
    const deleted = await this.store.transaction(async (tx) => {
      if ((await tx.records.existing(vaultId, tableName, [recordId])).size === 0) {
        throw notFound(`Record ${recordId} wasn't found in table "${tableName}".`);
      }
      const removed = await tx.files.delete(vaultId, tableName, recordId, column.name);
      await tx.records.deleteCells(vaultId, tableName, recordId, [column.name]);
      return removed;
    });
    return { skyflow_id: recordId, deleted };
  }

  /** Strongroom does not scan files for malware; the status says so rather than claiming they are clean. */
  async scanStatus(principal: Principal, vaultId: string, tableName: string, recordId: string, columnName: string) {
    const access = await this.records.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('READ', tableName);
    const ctx = await this.records.context(vaultId, tableName);
    const column = fileColumn(ctx, columnName);
    await grantRead(access, ctx, this.store, [column.name], [recordId], this.now());
    const file = await this.store.files.get(vaultId, tableName, recordId, column.name);
    return { av_scan_status: file ? ('SCAN_NONE' as const) : ('SCAN_FILE_NOT_FOUND' as const) };
  }

  /** The file a signed download URL grants (the URL is the credential); 404 when expired or forged. */
  async download(grant: string): Promise<{ data: Buffer; fileName: string; fileType: string }> {
    const ref = this.signer.verify(grant);
    const gone = () => notFound('This download link is invalid or has expired.');
    if (!ref) throw gone();
    let ctx: TableContext;
    try {
      ctx = await this.records.context(ref.vaultId, ref.table);
    } catch {
      throw gone();
    }
    const file = await this.store.files.get(ref.vaultId, ref.table, ref.recordId, ref.column);
    if (!file || file.createdAt !== ref.uploadedAt) throw gone();
    const [cell] = await this.store.records.cells(ref.vaultId, ref.table, [ref.recordId], [ref.column]);
    if (!cell) throw gone();
    const meta = valueFromBytes(
      ctx.keys.decrypt({ table: ref.table, column: ref.column, record: ref.recordId }, cell.value),
    );
    if (!isFileMetadata(meta)) throw gone();
    return {
      data: ctx.keys.open(fileContext(ref.table, ref.column, ref.recordId), file.content),
      fileName: meta.fileName,
      fileType: meta.fileType,
    };
  }

  /** A signed download URL for a file cell. */
  urlFor(vaultId: string, table: string, recordId: string, column: string, meta: FileMetadata): string {
    return this.signer.sign({ vaultId, table, recordId, column, uploadedAt: meta.uploadedAt });
  }
}

function fileColumn(ctx: TableContext, columnName: string): ColumnSpec {
  const column = ctx.table.columnsByName.get(columnName);
  if (!column) throw badRequest(`Column "${columnName}" doesn't exist in table "${ctx.table.name}".`);
  if (column.datatype !== 'DT_FILE_TYPE') {
    throw badRequest(`Column "${ctx.table.name}.${columnName}" is not a file column (DT_FILE_TYPE).`);
  }
  return column;
}

/** A file name as given, without path parts or control characters, at most 255 characters. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base]
    .filter((ch) => ch.charCodeAt(0) >= 0x20 && ch !== '\u007f')
    .join('')
    .slice(0, 255);
  return clean || 'file';
}
