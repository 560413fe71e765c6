import { z } from 'zod';
import { formatRule, parseRule } from '../../access/policy/parse-rule.js';
import { RULE_ACTIONS } from '../../access/policy/rule.js';
import type { Principal } from '../../auth/principal.js';
import { badRequest } from '../../errors.js';
import type { Services } from '../../server/services.js';
import type { PolicyRow } from '../../store/types.js';
import { principalOf } from '../principal.js';
import {
  basicAudit,
  basicAuditSchema,
  emptyObject,
  id,
  idResponse,
  nameText,
  opt,
  pageQuery,
  text,
} from '../schemas.js';
import type { App } from '../types.js';

/** `{"columnRuleParams": {...}}` and friends: Skyflow's structured rule form, written as a rule expression. */
const columnRuleParams = z.object({
  vaultID: opt(z.string()),
  columns: z.array(z.string().min(1).max(200)).min(1).max(100),
  action: opt(z.enum(RULE_ACTIONS)),
  actions: opt(z.array(z.enum(RULE_ACTIONS)).min(1).max(RULE_ACTIONS.length)),
  effect: opt(z.enum(['ALLOW', 'DENY'])),
  redaction: opt(z.enum(['PLAIN_TEXT', 'MASKED', 'REDACTED', 'DEFAULT'])),
});
const tableRuleParams = z.object({
  vaultID: opt(z.string()),
  tableName: z.string().min(1).max(100),
  action: opt(z.enum(RULE_ACTIONS)),
  actions: opt(z.array(z.enum(RULE_ACTIONS)).min(1).max(RULE_ACTIONS.length)),
  effect: opt(z.enum(['ALLOW', 'DENY'])),
});
const ruleParam = z.object({
  name: nameText('ruleParams[].name'),
  ruleExpression: opt(text(4096, 'ruleExpression')),
  columnRuleParams: opt(columnRuleParams),
  tableRuleParams: opt(tableRuleParams),
  columnGroupRuleParams: opt(z.unknown()),
});
type RuleParam = z.infer<typeof ruleParam>;

/** The rule expressions a rule param stands for (structured params with several actions give several). */
function expressions(param: RuleParam, i: number): { name: string; ruleExpression: string }[] {
  const given = [param.ruleExpression, param.columnRuleParams, param.tableRuleParams, param.columnGroupRuleParams];
  if (given.filter((g) => g !== undefined).length !== 1) {
    throw badRequest(`ruleParams[${i}] needs exactly one of ruleExpression, columnRuleParams or tableRuleParams.`);
  }
  if (param.columnGroupRuleParams !== undefined) {
    throw badRequest(`ruleParams[${i}]: columnGroupRuleParams is not supported; name the columns in ruleExpression.`);
  }
  if (param.ruleExpression !== undefined) return [{ name: param.name, ruleExpression: param.ruleExpression }];
  const structured = (param.columnRuleParams ?? param.tableRuleParams) as NonNullable<
    RuleParam['columnRuleParams'] | RuleParam['tableRuleParams']
  >;
  const actions = structured.actions ?? (structured.action ? [structured.action] : []);
  if (actions.length === 0) throw badRequest(`ruleParams[${i}]: give action or actions.`);
  const targets = param.columnRuleParams
    ? param.columnRuleParams.columns.join(', ')
    : `${param.tableRuleParams?.tableName}.*`;
  const redaction = param.columnRuleParams?.redaction;
  return actions.map((action, k) => {
    let rule = `${structured.effect ?? 'ALLOW'} ${action} ON ${targets}`;
    if (redaction && (action === 'READ' || action === 'DETOKENIZATION')) rule += ` WITH REDACTION = ${redaction}`;
    return { name: actions.length > 1 ? `${param.name}#${k + 1}` : param.name, ruleExpression: rule };
  });
}

const policyBody = z.object({
  name: nameText(),
  displayName: opt(text(100, 'displayName')),
  description: opt(text(1000, 'description')),
  resource: z.object({ ID: id, type: z.literal('VAULT') }),
  ruleParams: z.array(ruleParam).max(100),
  activated: opt(z.boolean()),
});

const ruleOutput = z.object({
  ID: z.string(),
  name: z.string(),
  ruleExpression: z.string(),
  actions: z.array(z.string()),
  resources: z.array(z.string()),
  resourceType: z.string(),
  dlpFormat: z.string().nullable(),
});
const policyOutput = z.object({
  ID: z.string(),
  name: z.string(),
  displayName: z.string(),
  description: z.string(),
  namespace: z.string(),
  status: z.string(),
  BasicAudit: basicAuditSchema,
  resource: z.object({ ID: z.string(), type: z.string() }),
  rules: z.array(ruleOutput),
});

function policyOut(policy: PolicyRow): z.infer<typeof policyOutput> {
  return {
    ID: policy.id,
    name: policy.name,
    displayName: policy.displayName,
    description: policy.description,
    namespace: policy.vaultId,
    status: policy.status,
    BasicAudit: basicAudit(policy),
    resource: { ID: policy.vaultId, type: 'VAULT' },
    rules: policy.rules.map((r) => {
      const rule = parseRule(r.expression);
      const resources =
        rule.targets.length === 0
          ? [`vault:${policy.vaultId}`]
          : rule.targets.map((t) =>
              t.column === '*'
                ? `vault:${policy.vaultId}/table:${t.table}`
                : `vault:${policy.vaultId}/table:${t.table}/column:${[t.column, ...t.path].join('.')}`,
            );
      return {
        ID: r.id,
        name: r.name,
        ruleExpression: r.expression,
        actions: [
          `${rule.action === 'TOKENIZATION' || rule.action === 'DETOKENIZATION' ? 'tokens' : 'records'}.${rule.action.toLowerCase()}`,
        ],
        resources,
        resourceType: rule.targets.every((t) => t.column === '*') ? 'TABLE' : 'COLUMN',
        dlpFormat: rule.redaction ?? null,
      };
    }),
  };
}

function policyInput(body: z.infer<typeof policyBody>) {
  return {
    name: body.name,
    displayName: body.displayName,
    description: body.description,
    vaultId: body.resource.ID,
    rules: body.ruleParams.flatMap(expressions),
    activated: body.activated,
  };
}

const roleIdsBody = z.object({ ID: id, roleIDs: z.array(id).min(1, 'roleIDs must list at least one role').max(100) });

/** Skyflow's policy API (§8.4) and Strongroom's `POST /v1/policies/explain`. */
export function registerPolicyRoutes(app: App, services: Services): void {
  const { policies } = services;

  app.post(
    '/v1/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'Create a policy (inactive unless "activated": true)',
        body: policyBody,
        response: { 200: idResponse },
      },
    },
    async (request) => ({ ID: (await policies.create(principalOf(request), policyInput(request.body))).id }),
  );

  app.get(
    '/v1/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'List policies',
        querystring: z.object({
          'resource.ID': opt(id),
          'resource.type': opt(z.literal('VAULT')),
          'filterOps.name': opt(z.string().max(100)),
          ...pageQuery,
        }),
        response: { 200: z.object({ policies: z.array(policyOutput) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const list = await policies.list(
        principalOf(request),
        { vaultId: q['resource.ID'], name: q['filterOps.name'] },
        { offset: q.offset, limit: q.limit },
      );
      return { policies: list.map(policyOut) };
    },
  );

  app.post(
    '/v1/policies/explain',
    {
      schema: {
        tags: ['policies'],
        summary: 'Explain the decision of the policies for a principal, an action and a column (Strongroom)',
        body: z.object({
          vaultID: id,
          action: z.enum(RULE_ACTIONS),
          column: opt(
            z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'must be table or table.column'),
          ),
          principalID: opt(id),
          context: opt(z.union([z.string().max(1000), z.record(z.string(), z.unknown())])),
        }),
        response: {
          200: z.object({
            decision: z.enum(['ALLOW', 'DENY']),
            redaction: z.string().nullable(),
            reason: z.string(),
            rules: z.array(z.object({ policyID: z.string(), name: z.string(), ruleExpression: z.string() })),
          }),
        },
      },
    },
    async (request) => {
      const caller = principalOf(request);
      const body = request.body;
      const subject: Principal =
        body.principalID === undefined || body.principalID === caller.serviceAccountId
          ? { ...caller, ...(body.context !== undefined && { context: body.context }) }
          : {
              ...caller,
              serviceAccountId: body.principalID,
              roles: await services.roles.rolesOfMember(caller, body.principalID),
              context: body.context,
            };
      const [table, column] = body.column?.split('.') ?? [];
      const decision = await policies.explain(caller, subject, {
        vaultId: body.vaultID,
        action: body.action,
        table,
        column,
      });
      return {
        decision: decision.allowed ? ('ALLOW' as const) : ('DENY' as const),
        redaction: decision.redaction ?? null,
        reason: decision.reason,
        rules: decision.decidedBy.map((r) => ({
          policyID: r.policyId,
          name: r.ruleName,
          ruleExpression: formatRule(r.rule),
        })),
      };
    },
  );

  app.get(
    '/v1/policies/:ID',
    {
      schema: {
        tags: ['policies'],
        summary: 'Get a policy',
        params: z.object({ ID: id }),
        response: { 200: z.object({ policy: policyOutput }) },
      },
    },
    async (request) => ({ policy: policyOut(await policies.get(principalOf(request), request.params.ID)) }),
  );

  app.patch(
    '/v1/policies/:ID',
    {
      schema: {
        tags: ['policies'],
        summary: 'Replace a policy’s name, description and rules',
        params: z.object({ ID: id }),
        body: policyBody.extend({ ID: opt(id) }),
        response: { 200: idResponse },
      },
    },
    async (request) => {
      if (request.body.ID !== undefined && request.body.ID !== request.params.ID) {
        throw badRequest('ID in the body differs from the ID in the path.');
      }
      await policies.update(principalOf(request), request.params.ID, policyInput(request.body));
      return { ID: request.params.ID };
    },
  );

  app.delete(
    '/v1/policies/:ID',
    {
      schema: {
        tags: ['policies'],
        summary: 'Delete a policy',
        params: z.object({ ID: id }),
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await policies.delete(principalOf(request), request.params.ID);
      return {};
    },
  );

  app.patch(
    '/v1/policies/:ID/status',
    {
      schema: {
        tags: ['policies'],
        summary: 'Activate or deactivate a policy',
        params: z.object({ ID: id }),
        body: z.object({ ID: opt(id), status: z.enum(['ACTIVE', 'INACTIVE']) }),
        response: { 200: idResponse },
      },
    },
    async (request) => {
      await policies.setStatus(principalOf(request), request.params.ID, request.body.status);
      return { ID: request.params.ID };
    },
  );

  for (const [path, verb] of [
    ['/v1/policies/assign', 'assign'],
    ['/v1/policies/unassign', 'unassign'],
  ] as const) {
    app.post(
      path,
      {
        schema: {
          tags: ['policies'],
          summary: verb === 'assign' ? 'Assign a policy to custom roles' : 'Unassign a policy from roles',
          body: roleIdsBody,
          response: { 200: idResponse },
        },
      },
      async (request) => {
        await policies[verb](principalOf(request), request.body.ID, request.body.roleIDs);
        return { ID: request.body.ID };
      },
    );
  }

  app.get(
    '/v1/policies/:ID/roles',
    {
      schema: {
        tags: ['policies'],
        summary: 'The roles a policy is assigned to',
        params: z.object({ ID: id }),
        response: { 200: z.object({ roles: z.array(z.object({ ID: z.string() })) }) },
      },
    },
    async (request) => ({
      roles: (await policies.roleIds(principalOf(request), request.params.ID)).map((roleId) => ({ ID: roleId })),
    }),
  );

  app.get(
    '/v1/roles/:ID/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'The policies assigned to a role',
        params: z.object({ ID: id }),
        response: { 200: z.object({ policies: z.array(policyOutput) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const role = await services.roles.get(principal, request.params.ID);
      return { policies: (await policies.ofRole(principal, role.id)).map(policyOut) };
    },
  );
}
