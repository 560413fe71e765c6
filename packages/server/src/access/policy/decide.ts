import { type CelInput, celEnv, isCelError, plan } from '@bufbuild/cel';
import type { Rule, RuleAction, RuleRedaction } from './rule.js';

/** A rule as the decision point receives it: where it came from, for explanations and the audit log. */
export interface PolicyRule {
  readonly policyId: string;
  readonly ruleName: string;
  readonly rule: Rule;
}

/** The concrete redaction levels, least to most redacted. */
export type Redaction = 'PLAIN_TEXT' | 'MASKED' | 'REDACTED';
const STRENGTH: Record<Redaction, number> = { PLAIN_TEXT: 0, MASKED: 1, REDACTED: 2 };

/** Who asks, and the context their token carries: what `request.context.*` and `principal.*` read. */
export interface RequestFacts {
  readonly context: string | Readonly<Record<string, unknown>> | undefined;
  readonly principal: { readonly id: string; readonly type: string; readonly roles: readonly string[] };
}

/** One access question: an action, and for data actions the cell it touches. */
export interface AccessQuestion {
  readonly action: RuleAction;
  /** Absent for vault-wide actions (TOKENIZATION by column group, say): only rules without ON match. */
  readonly table?: string;
  readonly column?: string;
  /** The column's configured redaction, which `DEFAULT` stands for. */
  readonly columnDefault?: Redaction;
  /**
   * The record's values (decrypted), per table, for row filters. Absent: row filters cannot be decided, and
   * rules that have one are treated as not matching for ALLOW (no access granted on a guess) and as
   * matching for DENY.
   */
  readonly rows?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface Decision {
  readonly allowed: boolean;
  /** For allowed READ and DETOKENIZATION: the least redaction the caller may see. */
  readonly redaction: Redaction | undefined;
  /** The rules that decided: the DENY rules that matched, or else the ALLOW rules that did. */
  readonly decidedBy: readonly PolicyRule[];
  /** Why, in words fit for an error message or `POST /v1/policies/explain` (never a value). */
  readonly reason: string;
}

type Evaluator = (bindings: Record<string, CelInput>) => unknown;
const compiled = new WeakMap<Rule, Evaluator>();
const env = celEnv();

function evaluator(rule: Rule): Evaluator {
  let run = compiled.get(rule);
  if (!run) {
    const condition = rule.condition;
    run = condition ? (plan(env, condition.expr) as Evaluator) : () => true;
    compiled.set(rule, run);
  }
  return run;
}

function targets(rule: Rule, question: AccessQuestion): boolean {
  if (rule.action !== question.action) return false;
  if (rule.targets.length === 0) return true;
  if (question.table === undefined) return false;
  return rule.targets.some(
    (t) =>
      t.table === question.table &&
      (t.column === '*' || question.column === undefined || t.column === question.column) &&
      // A rule on a field inside an embedded column only denies: it never grants the whole column.
      (t.path.length === 0 || rule.effect === 'DENY'),
  );
}

/** `true`, `false`, or `'error'` (an evaluation error, which counts as a deny). */
function holds(rule: Rule, question: AccessQuestion, facts: RequestFacts): boolean | 'error' | 'unknown' {
  const condition = rule.condition;
  if (!condition) return true;
  if (condition.tables.size > 0 && !question.rows) return 'unknown';
  const bindings: Record<string, CelInput> = {
    request: { context: (facts.context ?? {}) as CelInput },
    principal: { id: facts.principal.id, type: facts.principal.type, roles: [...facts.principal.roles] },
  };
  for (const table of condition.tables) bindings[table] = (question.rows?.[table] ?? {}) as CelInput;
  let result: unknown;
  try {
    result = evaluator(rule)(bindings);
  } catch {
    return 'error';
  }
  if (isCelError(result)) return 'error';
  if (typeof result !== 'boolean') return 'error';
  return result;
}

const resolve = (redaction: RuleRedaction | undefined, question: AccessQuestion): Redaction => {
  if (redaction === undefined || redaction === 'DEFAULT') return question.columnDefault ?? 'REDACTED';
  return redaction;
};

/**
 * The decision of a set of policy rules on one question. Default deny; a matching DENY wins over any
 * ALLOW; a condition that fails to evaluate (a missing context key, a type error) counts as a DENY; the
 * redaction granted is the least redacted of the matching ALLOW rules (their union), where a rule without
 * WITH REDACTION, or with DEFAULT, grants the column's configured redaction.
 */
export function decide(rules: readonly PolicyRule[], question: AccessQuestion, facts: RequestFacts): Decision {
  const denied: PolicyRule[] = [];
  const allowed: PolicyRule[] = [];
  let failed: PolicyRule | undefined;
  for (const entry of rules) {
    const { rule } = entry;
    if (!targets(rule, question)) continue;
    const verdict = holds(rule, question, facts);
    if (verdict === 'error') {
      failed ??= entry;
      continue;
    }
    if (rule.effect === 'DENY') {
      if (verdict === true || verdict === 'unknown') denied.push(entry);
    } else if (verdict === true) allowed.push(entry);
  }
  const what = question.table
    ? `${question.action} on ${question.table}${question.column ? `.${question.column}` : ''}`
    : question.action;
  if (denied.length > 0) {
    return { allowed: false, redaction: undefined, decidedBy: denied, reason: `${what} is denied by a DENY rule` };
  }
  if (failed) {
    return {
      allowed: false,
      redaction: undefined,
      decidedBy: [failed],
      reason: `${what} is denied: a rule's WHERE condition could not be evaluated for this request`,
    };
  }
  if (allowed.length === 0) {
    return { allowed: false, redaction: undefined, decidedBy: [], reason: `no rule allows ${what}` };
  }
  const reads = question.action === 'READ' || question.action === 'DETOKENIZATION';
  const redaction = reads
    ? allowed
        .map((entry) => resolve(entry.rule.redaction, question))
        .reduce((least, r) => (STRENGTH[r] < STRENGTH[least] ? r : least))
    : undefined;
  return { allowed: true, redaction, decidedBy: allowed, reason: `${what} is allowed` };
}

/**
 * The redaction a caller gets: what they asked for, unless it is less redacted than their cap, in which
 * case the cap (asking for plain text with a MASKED cap yields masked values, not an error).
 */
export function capRedaction(asked: Redaction, cap: Redaction): Redaction {
  return STRENGTH[asked] >= STRENGTH[cap] ? asked : cap;
}

/** Whether any rule that could match the question has a row filter, so the record's values are needed. */
export function needsRows(rules: readonly PolicyRule[], question: AccessQuestion): boolean {
  return rules.some((entry) => (entry.rule.condition?.tables.size ?? 0) > 0 && targets(entry.rule, question));
}
