import { mayHaveContext } from '../context.js';
import type { Recognizer } from '../model.js';
import { ssnValid } from '../validators/ssn.js';
import { cand, digitPattern, digitsOf, matchAll } from './util.js';

const SSN_FORMATTED = digitPattern(/(?<![\d-])\d{3}([- .])\d{2}\1\d{4}(?![\d]|-\d)/g, 0);
const SSN_PLAIN = digitPattern(/(?<![\d-])\d{9}(?![\d]|-\d)/g, 0);
const CONTEXT = [
  'ssn',
  'ssns',
  'social security',
  'social security number',
  'social',
  'ss #',
  'ss',
  'ssa',
  'tin',
  'taxpayer',
  'tax id',
];

/** US Social Security numbers, validated against the SSA's allocation rules. */
export const ssnRecognizer: Recognizer = {
  name: 'ssn',
  entityTypes: ['ssn'],
  find(doc) {
    if (!doc.hasDigit) return [];
    return [
      ...matchAll(doc.text, SSN_FORMATTED, (m) =>
        ssnValid(digitsOf(m[0]))
          ? cand(m.index, m.index + m[0].length, 'ssn', m[1] === '-' ? 0.6 : 0.35, 'ssn', {
              context: CONTEXT,
              requiresContext: m[1] !== '-',
            })
          : undefined,
      ),
      ...(!mayHaveContext(doc, CONTEXT)
        ? []
        : matchAll(doc.text, SSN_PLAIN, (m) =>
            ssnValid(m[0])
              ? cand(m.index, m.index + 9, 'ssn', 0.3, 'ssn', { context: CONTEXT, requiresContext: true })
              : undefined,
          )),
    ];
  },
};
