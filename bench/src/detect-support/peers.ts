import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redactor as RedactPiiNode } from '@redactpii/node';
import { OpenRedaction } from 'openredaction';
import redactPii from 'redact-pii';
import type { PredSpan } from './scorer.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The installed version of a package, read from its package.json in the workspace's node_modules. */
export function installedVersion(name: string): string {
  for (const dir of [path.join(repoRoot, 'node_modules', name), path.join(repoRoot, 'bench/node_modules', name)]) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

/** One engine under test: how to get typed spans for scoring, and the operation timed for throughput. */
export interface Engine {
  name: string;
  version: string;
  /** How it was configured, in words (for the results page). */
  config: string;
  detect(text: string): Promise<PredSpan[]>;
  /** The engine's own redaction of one text (what a user would call); timed for MB/s. */
  redact(text: string): unknown;
  /** Samples whose output could not be aligned back to spans (replace-only libraries). */
  alignmentFailures?: () => number;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Recovers spans from a library that only returns redacted text: the output is literal pieces of the
 * input with markers in between, so a regex of the literal pieces with a lazy group per marker matches
 * the input and the groups are the redacted spans. Returns undefined when the output cannot be aligned.
 */
export function alignRedacted(
  original: string,
  redacted: string,
  markers: ReadonlyMap<string, string>,
): PredSpan[] | undefined {
  const names = [...markers.keys()].sort((a, b) => b.length - a.length);
  if (names.length === 0) return [];
  const markerRe = new RegExp(names.map(escapeRe).join('|'), 'g');
  const literals: string[] = [];
  const types: string[] = [];
  let last = 0;
  for (const m of redacted.matchAll(markerRe)) {
    literals.push(redacted.slice(last, m.index));
    types.push(markers.get(m[0]) ?? 'unknown');
    last = m.index + m[0].length;
  }
  literals.push(redacted.slice(last));
  if (types.length === 0) return redacted === original ? [] : undefined;
  const source = `^${literals.map(escapeRe).join('([\\s\\S]+?)')}$`;
  const m = new RegExp(source, 'd').exec(original);
  if (!m?.indices) return undefined;
  const out: PredSpan[] = [];
  for (let i = 0; i < types.length; i++) {
    const idx = m.indices[i + 1];
    if (idx) out.push({ start: idx[0], end: idx[1], type: types[i] ?? 'unknown' });
  }
  return out;
}

/** redact-pii 3.x, default built-in redactors (its Google DLP redactor needs a cloud account and is not used). */
export function redactPiiEngine(): Engine {
  const redactor = new redactPii.SyncRedactor();
  // Its default replacement for each built-in is the rule's name in upper snake case.
  const markers = new Map<string, string>([
    ['CREDIT_CARD_NUMBER', 'credit_card'],
    ['STREET_ADDRESS', 'location_address'],
    ['ZIPCODE', 'location_zip'],
    ['PHONE_NUMBER', 'phone_number'],
    ['IP_ADDRESS', 'ip_address'],
    ['US_SOCIAL_SECURITY_NUMBER', 'ssn'],
    ['EMAIL_ADDRESS', 'email_address'],
    ['USERNAME', 'username'],
    ['PASSWORD', 'password'],
    ['CREDENTIALS', 'password'],
    ['DIGITS', 'numerical_pii'],
    ['URL', 'url'],
    ['PERSON_NAME', 'name'],
  ]);
  let failures = 0;
  return {
    name: 'redact-pii',
    version: installedVersion('redact-pii'),
    config:
      'new SyncRedactor() with the default built-in rules, offline (the optional Google DLP redactor is a cloud API and is not used)',
    async detect(text) {
      const spans = alignRedacted(text, redactor.redact(text), markers);
      if (!spans) failures++;
      return spans ?? [];
    },
    redact: (text) => redactor.redact(text),
    alignmentFailures: () => failures,
  };
}

/** @redactpii/node, default rules, no dashboard (no API key: it never calls out). */
export function redactPiiNodeEngine(): Engine {
  const redactor = new RedactPiiNode();
  const markers = new Map<string, string>([
    ['CREDIT_CARD_NUMBER', 'credit_card'],
    ['EMAIL_ADDRESS', 'email_address'],
    ['PERSON_NAME', 'name'],
    ['PHONE_NUMBER', 'phone_number'],
    ['US_SOCIAL_SECURITY_NUMBER', 'ssn'],
    ['DIGITS', 'numerical_pii'],
  ]);
  let failures = 0;
  return {
    name: '@redactpii/node',
    version: installedVersion('@redactpii/node'),
    config: 'new Redactor() with its default rules; no apiKey, so nothing is sent anywhere',
    async detect(text) {
      const spans = alignRedacted(text, redactor.redact(text), markers);
      if (!spans) failures++;
      return spans ?? [];
    },
    redact: (text) => redactor.redact(text),
    alignmentFailures: () => failures,
  };
}

/** Maps an openredaction pattern type to the closest §6.9 type (its 570+ types are mostly identifiers). */
export function openRedactionType(t: string): string {
  const rules: Array<[RegExp, string]> = [
    [/EMAIL/, 'email_address'],
    [/CREDIT_CARD|^CARD_(?!EXPIRY|AUTH)/, 'credit_card'],
    [/CARD_EXPIRY/, 'credit_card_expiration'],
    [/CVV/, 'cvv'],
    [/^SSN$|SOCIAL_SECURITY/, 'ssn'],
    [/IBAN|BANK_ACCOUNT/, 'bank_account'],
    [/ROUTING/, 'routing_number'],
    [/^IPV[46]$|^IP_ADDRESS$/, 'ip_address'],
    [/PHONE/, 'phone_number'],
    [/DATE_OF_BIRTH/, 'dob'],
    [/DATE/, 'date'],
    [/ZIP|POSTCODE/, 'location_zip'],
    [/ADDRESS_STREET|ADDRESS_PO_BOX/, 'location_address'],
    [/URL|LINKEDIN/, 'url'],
    [/DRIVING_LICENSE|DRIVER_LICENSE/, 'driver_license'],
    [/PASSPORT/, 'passport_number'],
    [/^NAME$|PERSON/, 'name'],
    [/USERNAME|HANDLE|GAMERTAG|XBOX/, 'username'],
    [/VIN/, 'vehicle_id'],
    [/BLOOD_TYPE/, 'blood_type'],
    [/ICD10|CPT_CODE/, 'medical_code'],
  ];
  for (const [re, type] of rules) if (re.test(t)) return type;
  return 'numerical_pii';
}

/** openredaction (re-exports @openredaction/core), default options; learning store off so the run writes no files. */
export function openRedactionEngine(): Engine {
  const detector = new OpenRedaction({ enableLearning: false });
  return {
    name: 'openredaction',
    version: installedVersion('openredaction'),
    config:
      'new OpenRedaction({ enableLearning: false }): default patterns, names and addresses on; the learning store is turned off only so that the run writes no file (it does not change detection); result cache off (its default)',
    async detect(text) {
      const r = await detector.detect(text);
      return r.detections.map((d) => ({ start: d.position[0], end: d.position[1], type: openRedactionType(d.type) }));
    },
    redact: (text) => detector.detect(text),
  };
}
