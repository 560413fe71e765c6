import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, connect, listAll, output } from '../context.js';
import { CliError } from '../errors.js';

interface PolicyInfo {
  ID: string;
  name: string;
  displayName: string;
  description: string;
  status: string;
  resource: { ID: string; type: string };
  rules: { ID: string; name: string; ruleExpression: string }[];
}

interface Explanation {
  decision: 'ALLOW' | 'DENY';
  redaction: string | null;
  reason: string;
  rules: { policyID: string; name: string; ruleExpression: string }[];
}

interface RuleOptions {
  rule?: string[];
  rulesFile?: string;
}

const ACTIONS = ['READ', 'CREATE', 'UPDATE', 'DELETE', 'TOKENIZATION', 'DETOKENIZATION'];

const summary = (p: PolicyInfo) => `${p.ID}  ${p.name}  ${p.status}  ${p.rules.length} rule(s)`;

/** `--rule` values, then the lines of `--rules-file` (blank lines and `#` comments skipped), in order. */
function rulesOf(options: RuleOptions): string[] {
  const rules = (options.rule ?? []).map((r) => r.trim());
  if (options.rulesFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.rulesFile, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read rules file ${options.rulesFile}: ${(err as Error).message}`, 2);
    }
    for (const line of text.split(/\r?\n/)) {
      const rule = line.trim();
      if (rule !== '' && !rule.startsWith('#')) rules.push(rule);
    }
  }
  const empty = rules.indexOf('');
  if (empty !== -1) throw new CliError(`rule ${empty + 1} is empty`, 2);
  return rules;
}

/** Rules as `ruleParams`, named `rule-1`, `rule-2`… so a server error names the rule by its place. */
const ruleParams = (rules: readonly string[]) =>
  rules.map((ruleExpression, i) => ({ name: `rule-${i + 1}`, ruleExpression }));

/**
 * The server names a bad rule by its index (`ruleParams[2] ("rule-3"): expected … at position 14`);
 * quote the rule itself so the mistake can be seen without counting flags or lines.
 */
function withRuleText(err: unknown, expressions: readonly string[]): unknown {
  if (!(err instanceof CliError) || err.status !== 400) return err;
  const index = /ruleParams\[(\d+)\]/.exec(err.message)?.[1];
  const rule = index === undefined ? undefined : expressions[Number(index)];
  if (rule === undefined) return err;
  return new CliError(`${err.message} — rule ${Number(index) + 1}: ${JSON.stringify(rule)}`, 1, err.status);
}

/** `--context`: a JSON object or string as given, else the text itself (the token `ctx` may be a string). */
function contextOf(text: string | undefined): string | Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof parsed === 'string') return parsed;
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  throw new CliError('--context takes a JSON object or a string', 2);
}

function addRuleOptions(command: Command): Command {
  return command
    .option('--rule <rule...>', 'a rule, e.g. "ALLOW READ ON persons.name" (repeatable; see docs/policies.md)')
    .option('--rules-file <file>', 'rules, one per line; blank lines and lines starting with # are skipped');
}

/** `strongroom policies`: the rules that give custom roles their data access. */
export function registerPolicies(program: Command): void {
  const policies = program.command('policies').description('manage policies: the rules custom roles carry');
  const path = (id: string) => `/v1/policies/${encodeURIComponent(id)}`;

  addClientOptions(
    policies.command('list').description("list a vault's policies").requiredOption('--vault <vaultID>', 'the vault'),
  ).action(async (options: ClientOptions & { vault: string }) => {
    const connection = await connect(options);
    const list = await listAll<PolicyInfo>(
      connection,
      `/v1/policies?resource.type=VAULT&resource.ID=${encodeURIComponent(options.vault)}`,
      'policies',
    );
    output(options, { policies: list }, list.length === 0 ? 'No policies.' : list.map(summary));
  });

  addClientOptions(
    addRuleOptions(
      policies
        .command('create')
        .description('create a policy (inactive unless --activate)')
        .requiredOption('--vault <vaultID>', 'the vault')
        .requiredOption('--name <name>', 'policy name')
        .option('--description <text>', 'description')
        .option('--activate', 'make it active at once'),
    ),
  ).action(
    async (
      options: ClientOptions & RuleOptions & { vault: string; name: string; description?: string; activate?: boolean },
    ) => {
      const rules = rulesOf(options);
      if (rules.length === 0) throw new CliError('give at least one --rule or a --rules-file', 2);
      const { client, token } = await connect(options);
      const created = await client
        .request<{ ID: string }>('POST', '/v1/policies', {
          token,
          body: {
            name: options.name,
            ...(options.description !== undefined && { description: options.description }),
            resource: { ID: options.vault, type: 'VAULT' },
            ruleParams: ruleParams(rules),
            activated: options.activate ?? false,
          },
        })
        .catch((err: unknown) => {
          throw withRuleText(err, rules);
        });
      output(
        options,
        { ID: created.ID, status: options.activate ? 'ACTIVE' : 'INACTIVE' },
        `Created policy ${created.ID} (${options.name}) with ${rules.length} rule(s), ${options.activate ? 'active' : `inactive (activate it with: strongroom policies activate ${created.ID})`}`,
      );
    },
  );

  addClientOptions(
    policies
      .command('get')
      .description('show a policy, its rules and the roles it is assigned to')
      .argument('<policyID>'),
  ).action(async (policyId: string, options: ClientOptions) => {
    const { client, token } = await connect(options);
    const { policy } = await client.request<{ policy: PolicyInfo }>('GET', path(policyId), { token });
    const { roles } = await client.request<{ roles: { ID: string }[] }>('GET', `${path(policyId)}/roles`, { token });
    output(options, { policy, roles }, [
      summary(policy),
      `vault: ${policy.resource.ID}`,
      ...(policy.description ? [`description: ${policy.description}`] : []),
      `roles: ${roles.length === 0 ? 'none' : roles.map((r) => r.ID).join(', ')}`,
      'rules:',
      ...policy.rules.map((r) => `  ${r.name}: ${r.ruleExpression}`),
    ]);
  });

  addClientOptions(
    addRuleOptions(
      policies
        .command('update')
        .description('change the name, description or rules of a policy (given rules replace all of them)')
        .argument('<policyID>')
        .option('--name <name>', 'new name')
        .option('--description <text>', 'new description'),
    ),
  ).action(async (policyId: string, options: ClientOptions & RuleOptions & { name?: string; description?: string }) => {
    const given = rulesOf(options);
    if (given.length === 0 && options.name === undefined && options.description === undefined) {
      throw new CliError('nothing to change: give --name, --description, --rule or --rules-file', 2);
    }
    const { client, token } = await connect(options);
    // The API replaces the whole policy, so what is not changed is sent back as it is.
    const { policy } = await client.request<{ policy: PolicyInfo }>('GET', path(policyId), { token });
    const rules =
      given.length > 0 ? ruleParams(given) : policy.rules.map(({ name, ruleExpression }) => ({ name, ruleExpression }));
    await client
      .request('PATCH', path(policyId), {
        token,
        body: {
          name: options.name ?? policy.name,
          displayName: options.name ?? policy.displayName,
          description: options.description ?? policy.description,
          resource: { ID: policy.resource.ID, type: 'VAULT' },
          ruleParams: rules,
        },
      })
      .catch((err: unknown) => {
        throw withRuleText(err, given);
      });
    output(options, { ID: policyId, updated: true }, `Updated policy ${policyId}`);
  });

  for (const [verb, status] of [
    ['activate', 'ACTIVE'],
    ['deactivate', 'INACTIVE'],
  ] as const) {
    addClientOptions(
      policies
        .command(verb)
        .description(verb === 'activate' ? 'make a policy apply' : 'stop a policy applying (its rules stay)')
        .argument('<policyID>'),
    ).action(async (policyId: string, options: ClientOptions) => {
      const { client, token } = await connect(options);
      await client.request('PATCH', `${path(policyId)}/status`, { token, body: { status } });
      output(options, { ID: policyId, status }, `Policy ${policyId} is ${status.toLowerCase()}`);
    });
  }

  addClientOptions(policies.command('delete').description('delete a policy').argument('<policyID>')).action(
    async (policyId: string, options: ClientOptions) => {
      const { client, token } = await connect(options);
      await client.request('DELETE', path(policyId), { token });
      output(options, { ID: policyId, deleted: true }, `Deleted policy ${policyId}`);
    },
  );

  for (const verb of ['assign', 'unassign'] as const) {
    addClientOptions(
      policies
        .command(verb)
        .description(verb === 'assign' ? 'assign a policy to custom roles' : 'unassign a policy from roles')
        .argument('<policyID>')
        .requiredOption('--role <roleID...>', 'custom roles of the policy’s vault'),
    ).action(async (policyId: string, options: ClientOptions & { role: string[] }) => {
      const { client, token } = await connect(options);
      await client.request('POST', `/v1/policies/${verb}`, { token, body: { ID: policyId, roleIDs: options.role } });
      const roles = options.role.join(', ');
      output(
        options,
        { ID: policyId, roleIDs: options.role, [verb === 'assign' ? 'assigned' : 'unassigned']: true },
        verb === 'assign' ? `Assigned policy ${policyId} to ${roles}` : `Unassigned policy ${policyId} from ${roles}`,
      );
    });
  }

  addClientOptions(
    policies
      .command('explain')
      .description('explain what the policies decide for a principal, an action and a column')
      .requiredOption('--vault <vaultID>', 'the vault')
      .requiredOption('--action <action>', ACTIONS.join(' | '))
      .option('--column <table.column>', 'a column (table.column) or a table')
      .option('--principal <serviceAccountID>', 'whose rights to explain (default: the caller)')
      .option('--context <json>', 'the request context to assume: a JSON object, or a string'),
  ).action(
    async (
      options: ClientOptions & { vault: string; action: string; column?: string; principal?: string; context?: string },
    ) => {
      const action = options.action.toUpperCase();
      if (!ACTIONS.includes(action)) {
        throw new CliError(`--action takes ${ACTIONS.join(', ')}; got "${options.action}"`, 2);
      }
      const context = contextOf(options.context);
      const { client, token } = await connect(options);
      const answer = await client.request<Explanation>('POST', '/v1/policies/explain', {
        token,
        body: {
          vaultID: options.vault,
          action,
          ...(options.column !== undefined && { column: options.column }),
          ...(options.principal !== undefined && { principalID: options.principal }),
          ...(context !== undefined && { context }),
        },
      });
      output(options, answer, [
        `decision: ${answer.decision}`,
        `redaction: ${answer.redaction ?? '-'}`,
        `reason: ${answer.reason}`,
        `rules: ${answer.rules.length === 0 ? 'none' : ''}`.trimEnd(),
        ...answer.rules.map((r) => `  ${r.policyID} ${r.name}: ${r.ruleExpression}`),
      ]);
    },
  );
}
