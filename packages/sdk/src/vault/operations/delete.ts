import { isObject } from '../../http/error-response.js';
import { requireIdList, requireTable, type SkyflowRecordError } from '../common.js';
import type { OperationPlan } from '../operation.js';

/** Records of a table to delete, by `skyflow_id`. */
export class DeleteRequest {
  constructor(
    public table: string,
    public ids: string[],
  ) {}
}

export class DeleteResponse {
  readonly deletedIds: string[];
  /** Always empty: a delete succeeds or fails as a whole. */
  readonly errors: SkyflowRecordError[];
  constructor(init: { deletedIds: string[]; errors?: SkyflowRecordError[] }) {
    this.deletedIds = init.deletedIds;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'delete';

export function planDelete(request: DeleteRequest): OperationPlan<DeleteResponse> {
  const table = requireTable(request?.table, OPERATION);
  const ids = requireIdList(request.ids, OPERATION, 'ids');
  return {
    operation: OPERATION,
    method: 'DELETE',
    path: `/${table}`,
    body: { skyflow_ids: ids },
    idempotent: true,
    table,
    count: ids.length,
    parse: (body) => {
      const deleted = isObject(body) && Array.isArray(body.RecordIDResponse) ? body.RecordIDResponse : [];
      return new DeleteResponse({ deletedIds: deleted.map(String) });
    },
  };
}
