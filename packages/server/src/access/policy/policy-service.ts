import type { AuthEpoch } from '../../auth/auth-epoch.js';
import type { Principal } from '../../auth/principal.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { type PolicyRow, type PolicyStatus, type Store, UniqueViolationError } from '../../store/types.js';
import type { VaultSchemaModel } from '../../vault/schema/model.js';
import type { VaultService } from '../../vault/vault-service.js';
import { access, vaultResource } from '../access-control.js';
import type { DataAccess } from '../data-access.js';
import type { Decision, Redaction } from './decide.js';
import { parseRule, RuleSyntaxError, ruleProblems } from './parse-rule.js';
import type { Rule, RuleAction } from './rule.js';

/** A rule as a request gives it: its name and its text in the policy language. */
export interface RuleInput {
  readonly name: string;
  readonly ruleExpression: string;
}

export interface PolicyInput {
  readonly name: string;
  readonly displayName?: string | undefined;
  readonly description?: string | undefined;
  readonly vaultId: string;
  readonly rules: readonly RuleInput[];
  readonly activated?: boolean | undefined;
}

/** Most rules one policy holds: policies are read on every data request, so keep them reviewable. */
export const MAX_RULES_PER_POLICY = 100;

const REDACTION_OF: Record<string, Redaction> = { REDACT: 'REDACTED', MASK: 'MASKED', PLAIN_TEXT: 'PLAIN_TEXT' };

/** Parses and checks every rule against the vault's schema; the first problem is a 400 naming the rule. */
function parseRules(rules: readonly RuleInput[], schema: VaultSchemaModel, field: string): Rule[] {
  if (rules.length > MAX_RULES_PER_POLICY) {
    throw badRequest(`${field} holds at most ${MAX_RULES_PER_POLICY} rules.`);
  }
  const names = new Set<string>();
  return rules.map((input, i) => {
    const where = `${field}[${i}] ("${input.name.slice(0, 64)}")`;
    if (names.has(input.name)) throw badRequest(`${where}: two rules of a policy cannot share a name.`);
    names.add(input.name);
    let rule: Rule;
    try {
      rule = parseRule(input.ruleExpression);
    } catch (err) {
      if (err instanceof RuleSyntaxError) {
        throw badRequest(`${where}: ${err.message}.`, [
          { field: `${field}[${i}].ruleExpression`, problem: err.message },
        ]);
      }
      throw err;
    }
    const problems = ruleProblems(rule, {
      columns: (table) => schema.tablesByName.get(table)?.columns.map((c) => c.name),
    });
    if (problems.length > 0) {
      throw badRequest(
        `${where}: ${problems.join('; ')}.`,
        problems.map((problem) => ({ field: `${field}[${i}].ruleExpression`, problem })),
      );
    }
    return rule;
  });
}

/** Policies: stored rules of the policy language, assigned to custom roles of their vault. */
export class PolicyService {
  constructor(
    private readonly store: Store,
    private readonly vaults: VaultService,
    private readonly dataAccess: DataAccess,
    /** Bumped on every change, so cached rules are read again here at once and on other nodes within a second. */
    private readonly epoch: AuthEpoch,
    private readonly now: () => number = Date.now,
  ) {}

  async create(principal: Principal, input: PolicyInput): Promise<PolicyRow> {
    access.require(principal, 'policies.manage', vaultResource(input.vaultId));
    const { model } = await this.vaults.open(input.vaultId);
    parseRules(input.rules, model, 'ruleParams');
    const now = this.now();
    const row: PolicyRow = {
      id: newId(now),
      vaultId: input.vaultId,
      name: input.name,
      displayName: input.displayName ?? input.name,
      description: input.description ?? '',
      status: input.activated ? 'ACTIVE' : 'INACTIVE',
      rules: input.rules.map((r) => ({ id: newId(now), name: r.name, expression: r.ruleExpression })),
      createdAt: now,
      updatedAt: now,
      createdBy: principal.serviceAccountId,
      updatedBy: principal.serviceAccountId,
    };
    await this.unique(input.vaultId, input.name, () => this.store.policies.insert(row));
    this.epoch.bump();
    return row;
  }

  async get(principal: Principal, id: string): Promise<PolicyRow> {
    const policy = await this.store.policies.get(id);
    if (!policy || !access.allows(principal, 'policies.read', vaultResource(policy.vaultId))) {
      throw notFound(`Policy ${id} wasn't found.`);
    }
    return policy;
  }

  async list(
    principal: Principal,
    filter: { vaultId?: string | undefined; name?: string | undefined },
    page: { offset: number; limit: number },
  ): Promise<PolicyRow[]> {
    const visible = access.visibleVaults(principal);
    let vaultIds: string[] | undefined;
    if (filter.vaultId !== undefined) vaultIds = [filter.vaultId];
    else if (visible !== 'all') vaultIds = [...visible];
    if (vaultIds) vaultIds = vaultIds.filter((v) => access.allows(principal, 'policies.read', vaultResource(v)));
    return this.store.policies.list({ vaultIds, name: filter.name }, page);
  }

  /** Replaces a policy's fields and rules (its vault cannot change). */
  async update(principal: Principal, id: string, input: Omit<PolicyInput, 'vaultId'> & { vaultId?: string }) {
    const current = await this.manageable(principal, id);
    if (input.vaultId !== undefined && input.vaultId !== current.vaultId) {
      throw badRequest('resource.ID: a policy cannot move to another vault; create a new policy there.');
    }
    const { model } = await this.vaults.open(current.vaultId);
    parseRules(input.rules, model, 'ruleParams');
    const now = this.now();
    const row: PolicyRow = {
      ...current,
      name: input.name,
      displayName: input.displayName ?? current.displayName,
      description: input.description ?? current.description,
      status: input.activated === undefined ? current.status : input.activated ? 'ACTIVE' : 'INACTIVE',
      rules: input.rules.map((r) => ({ id: newId(now), name: r.name, expression: r.ruleExpression })),
      updatedAt: now,
      updatedBy: principal.serviceAccountId,
    };
    await this.unique(current.vaultId, input.name, async () => {
      if (!(await this.store.policies.update(row))) throw notFound(`Policy ${id} wasn't found.`);
    });
    this.epoch.bump();
    return row;
  }

  async setStatus(principal: Principal, id: string, status: PolicyStatus): Promise<void> {
    const current = await this.manageable(principal, id);
    await this.store.policies.update({
      ...current,
      status,
      updatedAt: this.now(),
      updatedBy: principal.serviceAccountId,
    });
    this.epoch.bump();
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.manageable(principal, id);
    await this.store.policies.delete(id);
    this.epoch.bump();
  }

  /** Assigns to custom roles of the policy's vault (system roles keep their fixed permissions). */
  async assign(principal: Principal, id: string, roleIds: readonly string[]): Promise<void> {
    const policy = await this.manageable(principal, id);
    await this.checkRoles(policy, roleIds);
    await this.store.policies.assign(id, [...new Set(roleIds)], this.now());
    this.epoch.bump();
  }

  async unassign(principal: Principal, id: string, roleIds: readonly string[]): Promise<void> {
    await this.manageable(principal, id);
    await this.store.policies.unassign(id, roleIds);
    this.epoch.bump();
  }

  async roleIds(principal: Principal, id: string): Promise<string[]> {
    await this.get(principal, id);
    return this.store.policies.roleIds(id);
  }

  /** Policies assigned to a role (active or not) that the caller may read. */
  async ofRole(principal: Principal, roleId: string): Promise<PolicyRow[]> {
    const policies = await this.store.policies.ofRoles([roleId], { activeOnly: false });
    return policies.filter((p) => access.allows(principal, 'policies.read', vaultResource(p.vaultId)));
  }

  /**
   * What the data paths decide for a principal, one action and column of a vault (its system roles and
   * the policies of its custom roles, through the same decision point), with the rules that decided: the
   * answer of `POST /v1/policies/explain`.
   */
  async explain(
    principal: Principal,
    subject: Principal,
    question: { vaultId: string; action: RuleAction; table?: string | undefined; column?: string | undefined },
  ): Promise<Decision> {
    access.require(principal, 'policies.read', vaultResource(question.vaultId));
    const { model } = await this.vaults.open(question.vaultId);
    let columnDefault: Redaction | undefined;
    if (question.table !== undefined) {
      const table = model.tablesByName.get(question.table);
      if (!table) throw badRequest(`table "${question.table}" is not in the vault schema.`);
      if (question.column !== undefined) {
        const column = table.columnsByName.get(question.column);
        if (!column) throw badRequest(`column "${question.table}.${question.column}" is not in the vault schema.`);
        columnDefault = REDACTION_OF[column.redaction];
      }
    } else if (question.column !== undefined) {
      throw badRequest('column needs a table.');
    }
    const vaultAccess = await this.dataAccess.forVault(subject, question.vaultId);
    return vaultAccess.decide(question.action, { table: question.table, column: question.column, columnDefault });
  }

  private async manageable(principal: Principal, id: string): Promise<PolicyRow> {
    const policy = await this.get(principal, id);
    access.require(principal, 'policies.manage', vaultResource(policy.vaultId));
    return policy;
  }

  private async checkRoles(policy: PolicyRow, roleIds: readonly string[]): Promise<void> {
    for (const roleId of roleIds) {
      const role = await this.store.roles.get(roleId);
      if (role?.resourceType !== 'VAULT' || role.resourceId !== policy.vaultId) {
        throw badRequest(`roleIDs: role ${roleId.slice(0, 64)} is not a role of vault ${policy.vaultId}.`);
      }
      if (role.type !== 'CUSTOM') {
        throw badRequest(
          `roleIDs: ${role.name} is a system role with fixed permissions; assign policies to custom roles.`,
        );
      }
    }
  }

  private async unique(vaultId: string, name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (err instanceof UniqueViolationError) {
        throw conflict(`Vault ${vaultId} already has a policy named "${name.slice(0, 64)}".`);
      }
      throw err;
    }
  }
}
