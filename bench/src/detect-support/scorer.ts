import type { GoldSpan, Sample } from './dataset.js';

/** A predicted span, typed with a §6.9 entity type (peers' own types are mapped before scoring). */
export interface PredSpan {
  start: number;
  end: number;
  type: string;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  /** Predictions counted as true positives / all predictions counted. */
  tpPred: number;
  pred: number;
  /** Gold spans found / all gold spans. */
  tpGold: number;
  gold: number;
}

export interface Scores {
  overall: { agnostic: Prf; typed: Prf };
  perEntity: Record<string, { agnostic: Prf; typed: Prf }>;
  /** Type-agnostic precision of each predicted §6.9 type (how often a prediction of that type hit any gold span). */
  perPredictedType: Record<string, { tpPred: number; pred: number; precision: number }>;
}

/**
 * Which §6.9 types count as the same kind of entity as each label of the data set. A street address
 * label accepts the address components §6.9 splits out (city, state, postal code) and a place label a
 * predicted address that contains it; TITLE accepts
 * occupation (job titles) and name (honorifics, which §6.9 treats as part of a person's name).
 */
export const LABEL_TYPES: Readonly<Record<string, readonly string[]>> = {
  PERSON: ['name', 'name_given', 'name_family', 'name_medical_professional'],
  STREET_ADDRESS: [
    'location_address',
    'location_address_street',
    'location_zip',
    'location_city',
    'location_state',
    'location_country',
    'location',
  ],
  // A city or country inside a predicted street address is typed as a location, as the address
  // label accepts city/state/country predictions the other way round.
  GPE: ['location', 'location_city', 'location_state', 'location_country', 'location_address'],
  ORGANIZATION: ['organization', 'organization_medical_facility'],
  CREDIT_CARD: ['credit_card'],
  DATE_TIME: ['date', 'dob', 'date_interval', 'time', 'year', 'month', 'day', 'duration'],
  TITLE: ['occupation', 'name'],
  PHONE_NUMBER: ['phone_number'],
  AGE: ['age'],
  NRP: ['origin', 'religion', 'political_affiliation'],
  EMAIL_ADDRESS: ['email_address'],
  ZIP_CODE: ['location_zip', 'location_address'],
  DOMAIN_NAME: ['url'],
  IBAN_CODE: ['bank_account', 'account_number'],
  US_SSN: ['ssn'],
  IP_ADDRESS: ['ip_address'],
  US_DRIVER_LICENSE: ['driver_license'],
};

const compatible = (label: string, type: string): boolean => LABEL_TYPES[label]?.includes(type) ?? false;

/** Spans overlap when they share at least one non-whitespace character. */
export function overlapsText(
  text: string,
  a: { start: number; end: number },
  b: { start: number; end: number },
): boolean {
  const s = Math.max(a.start, b.start);
  const e = Math.min(a.end, b.end);
  if (s >= e) return false;
  return /\S/.test(text.slice(s, e));
}

function prf(tpPred: number, pred: number, tpGold: number, gold: number): Prf {
  const precision = pred === 0 ? (gold === 0 ? 1 : 0) : tpPred / pred;
  const recall = gold === 0 ? 1 : tpGold / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, tpPred, pred, tpGold, gold };
}

interface Counter {
  tpPred: number;
  pred: number;
  tpGold: number;
  gold: number;
}
const zero = (): Counter => ({ tpPred: 0, pred: 0, tpGold: 0, gold: 0 });

/** The counter of `label` in `table`, created on first use. */
function counterOf(table: Record<string, Counter>, label: string): Counter {
  const existing = table[label];
  if (existing) return existing;
  const created = zero();
  table[label] = created;
  return created;
}

/** The label an unmatched prediction of a §6.9 type counts against (its closest data-set label). */
export const PRIMARY_LABEL: Readonly<Record<string, string>> = (() => {
  const out: Record<string, string> = {};
  // Order matters: the first label listing a type is its primary label, except where set below.
  for (const [label, types] of Object.entries(LABEL_TYPES)) for (const t of types) out[t] ??= label;
  Object.assign(out, {
    location_city: 'GPE',
    location_state: 'GPE',
    location_country: 'GPE',
    location: 'GPE',
    location_zip: 'ZIP_CODE',
    location_address: 'STREET_ADDRESS',
    name: 'PERSON',
  });
  return out;
})();

/**
 * Span-overlap scoring, the same for every engine.
 *
 * - Two spans match when they share at least one non-whitespace character.
 * - Type-agnostic: a prediction is a true positive when it matches any gold span; a gold span is found
 *   when any prediction matches it. Precision = true-positive predictions / predictions; recall = found
 *   gold spans / gold spans. One prediction covering two gold spans finds both (and counts once for
 *   precision); two predictions inside one gold span are both true positives (and find it once).
 * - Typed: the same, but a match also needs the prediction's §6.9 type to be one of {@link LABEL_TYPES}
 *   for the gold label.
 * - Per label L: recall over the gold spans of L. For precision every prediction is attributed to one
 *   label: the label of the first gold span it matches (typed: matches with a compatible type), or, if
 *   it matches none, {@link PRIMARY_LABEL} of its type (a false positive of that label; types with no
 *   label count only in the overall figures).
 */
export function score(samples: readonly Sample[], predictions: readonly PredSpan[][]): Scores {
  const overallA = zero();
  const overallT = zero();
  const perA: Record<string, Counter> = {};
  const perT: Record<string, Counter> = {};
  const perType: Record<string, { tpPred: number; pred: number }> = {};
  for (const label of Object.keys(LABEL_TYPES)) {
    perA[label] = zero();
    perT[label] = zero();
  }
  const bump = (table: Record<string, Counter>, label: string | undefined, tp: boolean): void => {
    if (!label) return;
    const c = counterOf(table, label);
    c.pred++;
    if (tp) c.tpPred++;
  };
  samples.forEach((sample, i) => {
    const preds = predictions[i] ?? [];
    const gold: GoldSpan[] = sample.spans;
    for (const p of preds) {
      const any = gold.find((g) => overlapsText(sample.text, p, g));
      const typed = gold.find((g) => compatible(g.label, p.type) && overlapsText(sample.text, p, g));
      overallA.pred++;
      overallT.pred++;
      if (any) overallA.tpPred++;
      if (typed) overallT.tpPred++;
      const pt = perType[p.type] ?? { tpPred: 0, pred: 0 };
      perType[p.type] = pt;
      pt.pred++;
      if (any) pt.tpPred++;
      bump(perA, any ? any.label : PRIMARY_LABEL[p.type], any !== undefined);
      bump(perT, typed ? typed.label : PRIMARY_LABEL[p.type], typed !== undefined);
    }
    for (const g of gold) {
      const a = counterOf(perA, g.label);
      const t = counterOf(perT, g.label);
      const found = preds.some((p) => overlapsText(sample.text, p, g));
      const foundTyped = preds.some((p) => compatible(g.label, p.type) && overlapsText(sample.text, p, g));
      overallA.gold++;
      overallT.gold++;
      a.gold++;
      t.gold++;
      if (found) {
        overallA.tpGold++;
        a.tpGold++;
      }
      if (foundTyped) {
        overallT.tpGold++;
        t.tpGold++;
      }
    }
  });
  const toPrf = (c: Counter): Prf => prf(c.tpPred, c.pred, c.tpGold, c.gold);
  const perEntity: Scores['perEntity'] = {};
  for (const label of Object.keys(perA)) {
    perEntity[label] = { agnostic: toPrf(perA[label] as Counter), typed: toPrf(perT[label] as Counter) };
  }
  const perPredictedType: Scores['perPredictedType'] = {};
  for (const [t, c] of Object.entries(perType))
    perPredictedType[t] = { ...c, precision: c.pred ? c.tpPred / c.pred : 0 };
  return { overall: { agnostic: toPrf(overallA), typed: toPrf(overallT) }, perEntity, perPredictedType };
}
