import { mayHaveContext } from '../context.js';
import type { Recognizer } from '../model.js';
import { cand, digitPattern, groupSpan, matchAll } from './util.js';

const CONTEXT = [
  'zip',
  'zip code',
  'zipcode',
  'postal',
  'postal code',
  'postcode',
  'post code',
  'plz',
  'cep',
  'cap',
  'pin code',
  'code postal',
  'código postal',
];
// Formats with a shape distinctive enough to stand alone.
const CANADA = digitPattern(/\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b/g, 1);
const UK = digitPattern(/\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) ?\d[ABD-HJLNP-UW-Z]{2}\b/g, 4);
// Numeric and mixed formats used around the world (US 12345-6789, BR 12345-678, PT 1234-567, PL 12-345,
// SE 123 45, NL 1234 AB, plain 3–6 digits); on their own these are just numbers, so they need context.
const GENERIC = digitPattern(
  /(?<![\w-])(\d{5}-\d{4}|\d{5}-\d{3}|\d{4}-\d{3}|\d{2}-\d{3}|\d{3} \d{2}|\d{4} ?[A-Z]{2}|[A-Z]{1,2}-?\d{4,5}|\d{3,6})(?![\w-])/g,
  3,
);

/** Postal codes: distinctive national formats alone, any common format after a postal-code word. */
export const postalCodeRecognizer: Recognizer = {
  name: 'postal_code',
  entityTypes: ['location_zip'],
  find(doc) {
    if (!doc.hasDigit) return [];
    return [
      ...matchAll(doc.text, CANADA, (m) =>
        cand(m.index, m.index + m[0].length, 'location_zip', 0.55, 'postal_code', { context: CONTEXT }),
      ),
      ...matchAll(doc.text, UK, (m) =>
        /\d/.test(m[0]) && /[A-Z]{2}$/.test(m[0])
          ? cand(m.index, m.index + m[0].length, 'location_zip', 0.45, 'postal_code', { context: CONTEXT })
          : undefined,
      ),
      ...(!mayHaveContext(doc, CONTEXT)
        ? []
        : matchAll(doc.text, GENERIC, (m) => {
            const [s, e] = groupSpan(m, 0);
            return cand(s, e, 'location_zip', 0.25, 'postal_code', { context: CONTEXT, requiresContext: true });
          })),
    ];
  },
};
