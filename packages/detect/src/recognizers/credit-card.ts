import type { Recognizer } from '../model.js';
import { luhnValid } from '../validators/luhn.js';
import { paymentCardValid } from '../validators/payment-card.js';
import { cand, digitPattern, digitsOf, matchAll } from './util.js';

// 12–19 digits, optionally grouped with single spaces or dashes (4-4-4-4, 4-6-5, …).
const CARD = digitPattern(/(?<![\d-])\d{4}(?:[ -]?\d{2,7}){1,4}(?![\d]|-\d)/g, 0);
const CONTEXT = [
  'card',
  'credit',
  'debit',
  'visa',
  'mastercard',
  'amex',
  'american express',
  'discover',
  'cc',
  'pan',
  'payment',
  'charge',
  'paid',
  'pay',
];

/** Payment card numbers: Luhn check plus a known network's prefix and length. */
export const creditCardRecognizer: Recognizer = {
  name: 'credit_card',
  entityTypes: ['credit_card'],
  find(doc) {
    if (!doc.hasDigit) return [];
    return matchAll(doc.text, CARD, (m) => {
      const raw = m[0];
      const digits = digitsOf(raw);
      if (digits.length < 12 || digits.length > 19) return undefined;
      // Mixed separators ("1234 5678-9012") are not how anyone writes a card number.
      const seps = new Set(raw.replace(/\d/g, ''));
      if (seps.size > 1) return undefined;
      if (paymentCardValid(digits)) {
        return cand(m.index, m.index + raw.length, 'credit_card', digits.length >= 15 ? 0.85 : 0.7, 'credit_card', {
          context: CONTEXT,
        });
      }
      if (luhnValid(digits) && digits.length >= 13) {
        return cand(m.index, m.index + raw.length, 'credit_card', 0.3, 'credit_card', {
          context: CONTEXT,
          requiresContext: true,
        });
      }
      return undefined;
    });
  },
};
