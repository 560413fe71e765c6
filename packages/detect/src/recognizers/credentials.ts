import type { Recognizer } from '../model.js';
import { cand, groupSpan, matchAll } from './util.js';

// The value after a label; the label is how we know what the value is.
const PASSWORD = /\b(?:password|passwd|pwd|passcode|passphrase|pass|pin)\s*(?:is|:|=|-)\s*["'“]?([^\s"'”]{3,64})/dgi;
const USERNAME =
  /\b(?:username|user name|user id|userid|user|login|handle|screen name|nickname)\s*(?:is|:|=|-)\s*["'“]?([\p{L}\p{N}._@-]{2,64})/dgiu;
const LABEL_HINT = /pass|pwd|pin|user|login|handle|screen name|nickname/;
const HANDLE = /(?<![\p{L}\p{N}._%+-])@([A-Za-z0-9_]{2,30})\b(?!\.\w|@)/gu;

/** Passwords and usernames written after a label ("password: hunter2", "username is jdoe"), @handles. */
export const credentialsRecognizer: Recognizer = {
  name: 'credentials',
  entityTypes: ['password', 'username'],
  find(doc) {
    const lower = doc.lower;
    const labelled = LABEL_HINT.test(lower);
    return [
      ...(!labelled
        ? []
        : matchAll(doc.text, PASSWORD, (m) => {
            const [s, e] = groupSpan(m, 1);
            const v = (m[1] ?? '').replace(/[.,;]$/, '');
            return cand(s, s + v.length || e, 'password', 0.8, 'credentials');
          })),
      ...(!labelled
        ? []
        : matchAll(doc.text, USERNAME, (m) => {
            const [s] = groupSpan(m, 1);
            const v = (m[1] ?? '').replace(/[.,;]$/, '');
            if (/^(?:is|was|name|and|the)$/i.test(v)) return undefined;
            return cand(s, s + v.length, 'username', 0.75, 'credentials');
          })),
      ...(!lower.includes('@')
        ? []
        : matchAll(doc.text, HANDLE, (m) => cand(m.index, m.index + m[0].length, 'username', 0.55, 'credentials'))),
    ];
  },
};
