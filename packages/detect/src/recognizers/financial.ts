import { mayHaveContext } from '../context.js';
import type { Recognizer } from '../model.js';
import type { Doc } from '../text/doc.js';
import { cand, digitPattern, groupSpan, matchAll } from './util.js';

const MONEY = digitPattern(
  /(?:[$€£¥₹₩₽₺₪]|\b(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|INR|CNY|SEK|NOK|DKK|PLN|BRL|MXN)\s?)\s?\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d{1,2})?(?:\s?(?:k|m|bn|million|billion|thousand))?\b|\b\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?\s?(?:dollars|euros|pounds|USD|EUR|GBP|yen|rupees|francs)\b/g,
  5,
);
const EXPIRY = digitPattern(/(?<![\d/])(0[1-9]|1[0-2])\s?\/\s?(\d{2}|20\d{2})(?![\d/])/g, 0);
const CVV = digitPattern(
  /\b(?:cvv2?|cvc2?|csc|cid|security code|card verification(?: value| code)?)\s*(?:is|:|#|=)?\s*(\d{3,4})\b/dgi,
  40,
);
const CURRENCY_SYMBOL = /[$€£¥₹₩₽₺₪]/;
const CURRENCY_WORDS = new Set(
  'usd eur gbp jpy chf cad aud inr cny sek nok dkk pln brl mxn dollar dollars euro euros pound pounds yen rupee rupees franc francs'.split(
    ' ',
  ),
);

/** True when the text has a currency symbol, code or word (money amounts need one). */
function hasMoneyWord(doc: Doc): boolean {
  if (CURRENCY_SYMBOL.test(doc.text)) return true;
  for (const t of doc.tokens) if (t.kind === 'word' && CURRENCY_WORDS.has(t.lower)) return true;
  return false;
}
const CVV_HINT = /cvv|cvc|csc|cid|security code|card verification/;
const EXPIRY_CONTEXT = [
  'exp',
  'expiry',
  'expires',
  'expiration',
  'expiration date',
  'valid thru',
  'valid through',
  'valid until',
  'good thru',
  'mm/yy',
  'exp.',
];

/** Money amounts, card expiry dates (by context) and card security codes (after their label). */
export const financialRecognizer: Recognizer = {
  name: 'financial',
  entityTypes: ['money', 'credit_card_expiration', 'cvv'],
  find(doc) {
    if (!doc.hasDigit) return [];
    return [
      ...(!hasMoneyWord(doc)
        ? []
        : matchAll(doc.text, MONEY, (m) => cand(m.index, m.index + m[0].trimEnd().length, 'money', 0.6, 'financial'))),
      ...(!mayHaveContext(doc, EXPIRY_CONTEXT)
        ? []
        : matchAll(doc.text, EXPIRY, (m) =>
            cand(m.index, m.index + m[0].length, 'credit_card_expiration', 0.3, 'financial', {
              context: EXPIRY_CONTEXT,
              requiresContext: true,
            }),
          )),
      ...(!CVV_HINT.test(doc.lower)
        ? []
        : matchAll(doc.text, CVV, (m) => {
            const [s, e] = groupSpan(m, 1);
            return cand(s, e, 'cvv', 0.8, 'financial');
          })),
    ];
  },
};
