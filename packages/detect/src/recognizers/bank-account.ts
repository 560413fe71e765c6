import { mayHaveContext } from '../context.js';
import type { Recognizer } from '../model.js';
import { ibanValid } from '../validators/iban.js';
import { abaRoutingValid } from '../validators/routing.js';
import { cand, digitPattern, matchAll } from './util.js';

const IBAN = digitPattern(
  /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,3})?(?![\p{L}\p{N}])/gu,
  4,
);
const IBAN_HINT = /[A-Za-z]{2}\d{2}[ -]?[A-Za-z0-9]{4}/;
const ACCOUNT = digitPattern(/(?<![\d-])\d(?:[ -]?\d){5,16}(?![\d]|-\d)/g, 0);
const ROUTING = digitPattern(/(?<![\d-])\d{9}(?![\d]|-\d)/g, 0);
const ACCOUNT_CONTEXT = [
  'account',
  'acct',
  'a/c',
  'account number',
  'account no',
  'bank account',
  'checking',
  'savings',
  'iban',
  'deposit',
];
const ROUTING_CONTEXT = ['routing', 'aba', 'routing number', 'transit', 'rtn', 'aba number'];

/** IBANs (country length and MOD-97 check), bank account numbers (by context) and ABA routing numbers. */
export const bankAccountRecognizer: Recognizer = {
  name: 'bank_account',
  entityTypes: ['bank_account', 'account_number', 'routing_number'],
  find(doc) {
    if (!doc.hasDigit) return [];
    const out = !IBAN_HINT.test(doc.text)
      ? []
      : matchAll(doc.text, IBAN, (m) => {
          // A match may run into a following word group; shrink from the right until the check passes.
          let s = m[0];
          while (s.length >= 15) {
            if (ibanValid(s)) return cand(m.index, m.index + s.length, 'bank_account', 0.95, 'iban');
            s = s.replace(/[ -]?[A-Za-z0-9]$/, '');
          }
          return undefined;
        });
    if (!mayHaveContext(doc, ACCOUNT_CONTEXT) && !mayHaveContext(doc, ROUTING_CONTEXT)) return out;
    out.push(
      ...matchAll(doc.text, ROUTING, (m) =>
        abaRoutingValid(m[0])
          ? cand(m.index, m.index + 9, 'routing_number', 0.35, 'routing_number', {
              context: ROUTING_CONTEXT,
              requiresContext: true,
            })
          : undefined,
      ),
      ...matchAll(doc.text, ACCOUNT, (m) =>
        cand(m.index, m.index + m[0].length, 'account_number', 0.2, 'account_number', {
          context: ACCOUNT_CONTEXT,
          requiresContext: true,
        }),
      ),
    );
    return out;
  },
};
