import { ACCOUNT, access, vaultResource } from '../access/access-control.js';
import type { Principal } from '../auth/principal.js';
import { forbidden } from '../errors.js';
import type { AuditEventRow, AuditFilter, Store } from '../store/types.js';

export interface AuditQuery {
  readonly vaultId?: string | undefined;
  readonly actor?: string | undefined;
  readonly actionType?: string | undefined;
  readonly requestId?: string | undefined;
  readonly fromTs?: number | undefined;
  readonly toTs?: number | undefined;
  readonly afterSeq?: number | undefined;
  readonly descending: boolean;
  readonly offset: number;
  readonly limit: number;
}

/** Reading the audit log: account admins see every entry, vault owners the entries of their vaults. */
export class AuditService {
  constructor(private readonly store: Store) {}

  async events(principal: Principal, query: AuditQuery): Promise<AuditEventRow[]> {
    let vaultIds: string[] | undefined;
    if (query.vaultId !== undefined) {
      access.require(principal, 'audit.read', vaultResource(query.vaultId));
      vaultIds = [query.vaultId];
    } else if (!access.allows(principal, 'audit.read', ACCOUNT)) {
      const visible = access.visibleVaults(principal);
      vaultIds =
        visible === 'all' ? [] : [...visible].filter((v) => access.allows(principal, 'audit.read', vaultResource(v)));
      if (vaultIds.length === 0) {
        throw forbidden('The caller lacks the permission "audit.read" on the account or on any vault.');
      }
    }
    const filter: AuditFilter = {
      ...(vaultIds && { vaultIds }),
      ...(query.actor !== undefined && { actor: query.actor }),
      ...(query.actionType !== undefined && { actionType: query.actionType }),
      ...(query.requestId !== undefined && { requestId: query.requestId }),
      ...(query.fromTs !== undefined && { fromTs: query.fromTs }),
      ...(query.toTs !== undefined && { toTs: query.toTs }),
      ...(query.afterSeq !== undefined && { afterSeq: query.afterSeq }),
    };
    return this.store.audit.list(filter, { offset: query.offset, limit: query.limit, descending: query.descending });
  }
}
