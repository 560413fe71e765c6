import type { Recognizer } from '../model.js';
import { phonePlausibility } from '../validators/phone.js';
import { cand, digitPattern, digitsOf, matchAll } from './util.js';

// Digit groups separated by single spaces, dots, dashes or slashes, optionally led by +CC / 00CC and a
// bracketed area code or trunk "(0)". Phone numbers never span a line break.
const PHONE = digitPattern(
  /(?<![\w+/.-]|\d[ .-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,5}(?:(?:[ .\-/]|\)\s?)\(?\d{1,8}\)?){0,6}(?![\w/]|[.-]\d)/g,
  5,
);
const CONTEXT = [
  'phone',
  'telephone',
  'tel',
  'call',
  'called',
  'calling',
  'mobile',
  'cell',
  'cellphone',
  'fax',
  'contact',
  'reach',
  'text',
  'sms',
  'whatsapp',
  'number',
  'phone number',
  'landline',
  'dial',
  'ring',
  'hotline',
  'ph',
  'mob',
  'tel.',
];

/** Digits-and-separators shapes that are something else: dates, times, versions, IPs, decimals. */
function looksLikeOther(raw: string): boolean {
  if (/^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(raw)) return true; // dates
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(raw)) return true; // IPv4
  if (/^\d+\.\d+$/.test(raw)) return true; // decimals
  if (/^\d{4}-\d{2}-\d{2}/.test(raw)) return true; // ISO dates
  return false;
}

/**
 * Phone numbers in national and international formats, checked against numbering plans (E.164 country
 * codes and lengths, NANP area-code and exchange rules). Unformatted digit runs need a context word.
 */
export const phoneRecognizer: Recognizer = {
  name: 'phone_number',
  entityTypes: ['phone_number'],
  find(doc) {
    if (!doc.hasDigit) return [];
    return matchAll(doc.text, PHONE, (m) => {
      let raw = m[0];
      // A dangling bracket or separator at the end belongs to the sentence.
      raw = raw.replace(/[ .\-/(]+$/, '');
      if (raw.endsWith(')') && !raw.includes('(')) raw = raw.slice(0, -1);
      if (looksLikeOther(raw)) return undefined;
      const international = raw.startsWith('+') || raw.startsWith('00');
      let digits = digitsOf(raw);
      if (raw.startsWith('00')) digits = digits.slice(2);
      if (digits.length < 7 || digits.length > 15) return undefined;
      // A trunk "(0)" after the country code is dialled only nationally.
      if (international && /\(0\)/.test(raw)) digits = digits.replace(/^(\d{1,3})0/, '$1');
      const p = phonePlausibility(digits, international);
      if (p === 0) return undefined;
      const groups = raw.split(/[ .\-/()]+/).filter(Boolean).length;
      const formatted = groups >= 2 || raw.includes('(');
      let score: number;
      if (international) score = 0.75;
      else if (formatted && groups <= 5) score = 0.55;
      else score = 0.3;
      score *= p;
      // Short local numbers ("555 1234") and long single runs need a context word.
      const weak = digits.length < 9 || !formatted;
      return cand(m.index, m.index + raw.length, 'phone_number', score, 'phone_number', {
        context: CONTEXT,
        requiresContext: weak && !international,
      });
    });
  },
};
