import type { Recognizer } from '../model.js';
import { cand, matchAll } from './util.js';

// Local part and domain per RFC 5322's common subset (internationalised letters allowed); the top-level
// domain must be letters, which keeps "v1.2@3.4" out.
const EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-](?:[\p{L}\p{N}._%+-]*[\p{L}\p{N}_%+-])?@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}-])/gu;

/** Email addresses. */
export const emailRecognizer: Recognizer = {
  name: 'email',
  entityTypes: ['email_address'],
  find: (doc) =>
    doc.text.includes('@')
      ? matchAll(doc.text, EMAIL, (m) => cand(m.index, m.index + m[0].length, 'email_address', 0.95, 'email'))
      : [],
};
