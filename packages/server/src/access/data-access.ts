import type { AuthEpoch } from '../auth/auth-epoch.js';
import type { Principal, RequestContext } from '../auth/principal.js';
import { forbidden } from '../errors.js';
import type { Store } from '../store/types.js';
import { access, vaultResource } from './access-control.js';
import {
  type AccessQuestion,
  type Decision,
  decide,
  needsRows,
  type PolicyRule,
  type Redaction,
  type RequestFacts,
} from './policy/decide.js';
import { parseRule } from './policy/parse-rule.js';
import type { RuleAction } from './policy/rule.js';

/**
 * The permission of the vault's system roles that stands for each action of the policy language: a
 * VAULT_EDITOR holds `records.*` and `tokens.*`, so it may do everything to every column, unredacted.
 */
export const PERMISSION_OF: Readonly<Record<RuleAction, string>> = {
  READ: 'records.read',
  CREATE: 'records.create',
  UPDATE: 'records.update',
  DELETE: 'records.delete',
  TOKENIZATION: 'tokens.tokenize',
  DETOKENIZATION: 'tokens.detokenize',
};

/** How many role sets' compiled rules are kept; beyond it the cache starts over (rules are cheap to reload). */
const MAX_CACHED_ROLE_SETS = 10_000;
/** How many callers' (principal, roles, context) decision memos are kept; beyond it they start over. */
const MAX_CACHED_CALLERS = 10_000;
/** Most memoised decisions per caller (distinct action × column questions). */
const MAX_DECISIONS_PER_CALLER = 4096;

/**
 * The one decision point for data: every path that reads or writes a vault's values (records, query,
 * tokens, files, Detect) asks a {@link VaultAccess} obtained here, so a caller's rights are the same
 * whichever endpoint they use.
 *
 * A caller's rights on a vault are the union of what its system roles' permissions grant (everything,
 * unredacted, for the actions they hold) and what the active policies of its custom roles allow, column
 * by column; a matching DENY rule of any of its policies refuses whatever granted the action.
 */
export class DataAccess {
  private readonly cache = new Map<string, { generation: number; rules: Promise<readonly PolicyRule[]> }>();
  /**
   * Decisions already taken for a caller, by question. A decision without row values is a pure function
   * of the rules and the request facts (principal, roles, context), so a caller asking the same question
   * again — every request of a service, every token of a batch — gets it from here instead of running the
   * conditions again. Dropped with the rules whenever a policy or role changes.
   */
  private readonly memos = new Map<string, { generation: number; memo: Map<string, Decision> }>();

  constructor(
    private readonly store: Store,
    private readonly epoch: AuthEpoch,
  ) {}

  /**
   * The caller's access to one vault. `context` replaces the bearer token's context (a signed data
   * token carries its own).
   */
  async forVault(principal: Principal, vaultId: string, context?: RequestContext): Promise<VaultAccess> {
    const custom: string[] = [];
    for (const role of principal.roles) {
      if (role.type === 'CUSTOM' && role.resourceType === 'VAULT' && role.resourceId === vaultId) custom.push(role.id);
    }
    const rules = custom.length > 0 ? await this.rulesOfRoles(custom) : NO_RULES;
    const facts = context ?? principal.context;
    const memo = rules.length > 0 ? this.memoOf(principal, vaultId, facts) : undefined;
    return new VaultAccess(principal, vaultId, rules, facts, memo, this);
  }

  /** The decision memo of one caller: the same principal, roles and context. */
  memoOf(principal: Principal, vaultId: string, context: RequestContext | undefined): Map<string, Decision> {
    const key = `${vaultId}\u0000${principal.serviceAccountId}\u0000${principal.authMode}\u0000${principal.roles
      .map((r) => r.id)
      .join(',')}\u0000${context === undefined ? '' : JSON.stringify(context)}`;
    const generation = this.epoch.generation;
    const hit = this.memos.get(key);
    if (hit && hit.generation === generation) return hit.memo;
    if (this.memos.size >= MAX_CACHED_CALLERS) this.memos.clear();
    const memo = new Map<string, Decision>();
    this.memos.set(key, { generation, memo });
    return memo;
  }

  /** The active rules of a set of roles, parsed and compiled once per change of any policy or role. */
  rulesOfRoles(roleIds: readonly string[]): Promise<readonly PolicyRule[]> {
    const key = [...roleIds].sort().join(',');
    const generation = this.epoch.generation;
    const hit = this.cache.get(key);
    if (hit && hit.generation === generation) return hit.rules;
    if (this.cache.size >= MAX_CACHED_ROLE_SETS) this.cache.clear();
    const rules = this.store.policies
      .ofRoles(roleIds, { activeOnly: true })
      .then((policies) =>
        policies.flatMap((policy) =>
          policy.rules.map((r) => ({ policyId: policy.id, ruleName: r.name, rule: parseRule(r.expression) })),
        ),
      );
    // A failed read is not remembered: the next request tries again.
    rules.catch(() => this.cache.delete(key));
    this.cache.set(key, { generation, rules });
    return rules;
  }
}

const NO_RULES: readonly PolicyRule[] = [];

/** What every request of a caller derives from a rule set: worked out once per set, not per request. */
interface RuleSetFacts {
  readonly denyRules: readonly PolicyRule[];
  /** Whether any rule (of all, and of the DENY ones) has a row filter, per action. */
  readonly rowFiltered: ReadonlySet<RuleAction>;
  readonly rowFilteredDeny: ReadonlySet<RuleAction>;
}
const ruleSetFacts = new WeakMap<readonly PolicyRule[], RuleSetFacts>();

function factsOf(rules: readonly PolicyRule[]): RuleSetFacts {
  let facts = ruleSetFacts.get(rules);
  if (!facts) {
    const denyRules = rules.filter((r) => r.rule.effect === 'DENY');
    const filtered = (list: readonly PolicyRule[]) =>
      new Set(list.filter((r) => (r.rule.condition?.tables.size ?? 0) > 0).map((r) => r.rule.action));
    facts = { denyRules, rowFiltered: filtered(rules), rowFilteredDeny: filtered(denyRules) };
    ruleSetFacts.set(rules, facts);
  }
  return facts;
}

const READS = new Set<RuleAction>(['READ', 'DETOKENIZATION']);

/** What a column question needs beyond the action: its table, column and configured redaction. */
export type ColumnQuestion = Omit<AccessQuestion, 'action'>;

/** One caller's access to one vault, for the length of a request. */
export class VaultAccess {
  private readonly denyRules: readonly PolicyRule[];
  private readonly ruleSet: RuleSetFacts;
  private readonly facts: RequestFacts;
  private readonly system = new Map<RuleAction, boolean>();

  constructor(
    readonly principal: Principal,
    readonly vaultId: string,
    private readonly rules: readonly PolicyRule[],
    context: RequestContext | undefined,
    /** Decisions without row values already taken for this caller (see {@link DataAccess}). */
    private readonly memo: Map<string, Decision> | undefined = undefined,
    private readonly owner: DataAccess | undefined = undefined,
  ) {
    this.ruleSet = factsOf(rules);
    this.denyRules = this.ruleSet.denyRules;
    this.facts = {
      context,
      principal: {
        id: principal.serviceAccountId,
        type: principal.authMode === 'API_KEY' ? 'API_KEY' : principal.type,
        roles: principal.roles.map((r) => r.id),
      },
    };
  }

  /** The same caller's access with another context (the `ctx` of a signed data token). */
  withContext(context: RequestContext): VaultAccess {
    const memo = this.owner?.memoOf(this.principal, this.vaultId, context);
    return new VaultAccess(this.principal, this.vaultId, this.rules, context, memo, this.owner);
  }

  /** Whether the caller's system roles hold the action's permission on the vault. */
  grantsBySystemRole(action: RuleAction): boolean {
    let granted = this.system.get(action);
    if (granted === undefined) {
      granted = access.allows(this.principal, PERMISSION_OF[action], vaultResource(this.vaultId));
      this.system.set(action, granted);
    }
    return granted;
  }

  /** True when no policy can change what the system roles decide: the common, fast case. */
  get unconditional(): boolean {
    return this.rules.length === 0;
  }

  /**
   * The decision for one action on one column (or, without a table, vault-wide). Pass `rows` (the
   * record's values per table) when {@link needsRows} says a row filter depends on them.
   */
  decide(action: RuleAction, question: ColumnQuestion = {}): Decision {
    if (this.memo === undefined || question.rows !== undefined) return this.evaluate(action, question);
    const key = `${action}\u0000${question.table ?? ''}\u0000${question.column ?? ''}\u0000${question.columnDefault ?? ''}`;
    let decision = this.memo.get(key);
    if (decision === undefined) {
      decision = this.evaluate(action, question);
      if (this.memo.size < MAX_DECISIONS_PER_CALLER) this.memo.set(key, decision);
    }
    return decision;
  }

  private evaluate(action: RuleAction, question: ColumnQuestion): Decision {
    const full: AccessQuestion = { action, ...question };
    if (this.grantsBySystemRole(action)) {
      if (this.denyRules.length > 0) {
        const denied = decide(this.denyRules, full, this.facts);
        // Only DENY rules were asked: anything that decided is a DENY that matched or could not be evaluated.
        if (denied.decidedBy.length > 0) return denied;
      }
      return READS.has(action) ? SYSTEM_READ : SYSTEM_WRITE;
    }
    return decide(this.rules, full, this.facts);
  }

  /** Throws 403 unless {@link decide} allows; returns the decision (its redaction is the cap for reads). */
  require(action: RuleAction, question: ColumnQuestion = {}): Decision {
    const decision = this.decide(action, question);
    if (!decision.allowed) throw denied(this.vaultId, decision);
    return decision;
  }

  /**
   * Whether the caller may do `action` on anything of the vault (or of `table`): the early refusal of a
   * request that no column or record could allow, before any work is done.
   */
  mayAtAll(action: RuleAction, table?: string): boolean {
    if (this.grantsBySystemRole(action)) return true;
    return this.rules.some(
      (r) =>
        r.rule.effect === 'ALLOW' &&
        r.rule.action === action &&
        (table === undefined || r.rule.targets.length === 0 || r.rule.targets.some((t) => t.table === table)),
    );
  }

  /** Throws 403 unless {@link mayAtAll}. */
  requireAtAll(action: RuleAction, table?: string): void {
    if (this.mayAtAll(action, table)) return;
    const what = table ? `${action} on table "${table}"` : action;
    throw forbidden(`The caller may not do ${what} in vault ${this.vaultId}: no role or policy allows it.`, [
      { action, ...(table && { table }), vault: this.vaultId },
    ]);
  }

  /** Whether deciding `action` on the question needs the record's values (a row filter may apply). */
  needsRows(action: RuleAction, question: ColumnQuestion = {}): boolean {
    const system = this.grantsBySystemRole(action);
    if (!(system ? this.ruleSet.rowFilteredDeny : this.ruleSet.rowFiltered).has(action)) return false;
    const rules = system ? this.denyRules : this.rules;
    return needsRows(rules, { action, ...question });
  }

  /** Columns of `table` that row filters of rules on `action` read: what must be loaded to decide. */
  filterColumns(action: RuleAction, table: string): string[] {
    const out = new Set<string>();
    const rules = this.grantsBySystemRole(action) ? this.denyRules : this.rules;
    for (const { rule } of rules) {
      if (rule.action !== action || !rule.condition) continue;
      for (const column of rule.condition.columns.get(table) ?? []) out.add(column);
    }
    return [...out];
  }
}

const SYSTEM_READ: Decision = {
  allowed: true,
  redaction: 'PLAIN_TEXT',
  decidedBy: [],
  reason: 'allowed by a system role of the vault',
};
const SYSTEM_WRITE: Decision = { ...SYSTEM_READ, redaction: undefined };

/** The 403 of a refused decision: what was refused and why, never a value or a rule's text. */
export function denied(vaultId: string, decision: Decision): Error {
  return forbidden(`Access denied in vault ${vaultId}: ${decision.reason}.`, [
    { reason: decision.reason, vault: vaultId },
  ]);
}

export type { Decision, Redaction };
