import type { Recognizer } from '../model.js';
import { cand, matchAll } from './util.js';

const SCHEME_URL = /\b(?:https?|ftp|sftp|wss?):\/\/[^\s<>"'`]+/giu;
const WWW_URL = /(?<![\w.@/-])www\.[^\s<>"'`]+/giu;
// Bare domains need a well-known TLD, so that "file.txt" or "v1.2" stay out.
const BARE_DOMAIN =
  /(?<![\w.@/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|org|net|edu|gov|mil|int|info|biz|io|co|ai|app|dev|me|us|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|cz|pt|gr|ie|ru|cn|jp|kr|in|br|mx|ar|au|nz|ca|za|eu|tv|ly|xyz|online|site|shop|store|tech|cloud|blog|news)(?:\/[^\s<>"'`]*)?(?![\w-]|\.\w)/giu;

const TLD_HINT =
  /\.(?:com|org|net|edu|gov|mil|int|info|biz|io|co|ai|app|dev|me|us|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|cz|pt|gr|ie|ru|cn|jp|kr|in|br|mx|ar|au|nz|ca|za|eu|tv|ly|xyz|online|site|shop|store|tech|cloud|blog|news)\b/;

/** Trailing characters that end a sentence rather than the URL. */
function trimTail(s: string): string {
  let out = s;
  while (/[.,;:!?)\]}'"]$/.test(out)) {
    // Keep a closing bracket that has its opening one inside the URL (Wikipedia-style links).
    if (out.endsWith(')') && out.split('(').length > out.split(')').length - 1) break;
    out = out.slice(0, -1);
  }
  return out;
}

/** URLs and bare domain names. */
export const urlRecognizer: Recognizer = {
  name: 'url',
  entityTypes: ['url'],
  find(doc) {
    if (!doc.text.includes('.')) return [];
    const mk = (score: number) => (m: RegExpExecArray) => {
      const text = trimTail(m[0]);
      return text.length > 4 ? cand(m.index, m.index + text.length, 'url', score, 'url') : undefined;
    };
    return [
      ...(doc.text.includes('://') ? matchAll(doc.text, SCHEME_URL, mk(0.9)) : []),
      ...(doc.lower.includes('www.') ? matchAll(doc.text, WWW_URL, mk(0.85)) : []),
      ...(TLD_HINT.test(doc.lower) ? matchAll(doc.text, BARE_DOMAIN, mk(0.6)) : []),
    ];
  },
};
