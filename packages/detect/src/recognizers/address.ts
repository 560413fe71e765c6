import { contextBefore } from '../context.js';
import { G, gazetteers, PLACE, tokenFlags } from '../gazetteers/index.js';
import { NAME_PARTICLES } from '../gazetteers/lists.js';
import type { Candidate, Recognizer } from '../model.js';
import type { Doc, Token } from '../text/doc.js';
import { cand } from './util.js';

const DIRECTIONS = new Set(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw', 'north', 'south', 'east', 'west']);
const ORDINAL_SUFFIX = new Set(['st', 'nd', 'rd', 'th']);
/** Unit words strong enough to mark an address on their own ("Apt. 4", "Suite 200"). */
const STANDALONE_UNITS = new Set([
  'apt',
  'apartment',
  'suite',
  'ste',
  'unit',
  'flat',
  'floor',
  'room',
  'bldg',
  'building',
  'piso',
  'wohnung',
  'apto',
  'andar',
  'appartement',
]);
const ADDRESS_CONTEXT = [
  'address',
  'live',
  'lives',
  'living',
  'lived',
  'located',
  'at',
  'on',
  'ship',
  'deliver',
  'mail',
  'send',
  'visit',
  'moved',
  'residence',
  'resides',
  'home',
];

// Components that may follow a street, tried in place with sticky regexes (no slicing of the text).
const POSTAL_Y =
  /(?:\d{5}(?:-\d{4})?|\d{5}-\d{3}|\d{4}-\d{3}|\d{2}-\d{3}|\d{3} \d{2}|\d{4} ?[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]{1,2}-\d{4,5}|\d{3,6})(?![\p{L}\p{N}-])/uy;
const STATE_Y = /[A-Z]{2,3}(?![\p{L}\p{N}])\.?/uy;
const PLACE_Y =
  /[\p{Lu}][\p{L}\p{M}'’-]*(?:[ ](?:[\p{Lu}][\p{L}\p{M}'’-]*|de|del|la|le|les|di|da|do|dos|das|sur|am|an|im|upon|on|of)){0,3}/uy;
const SEPARATOR_Y = /(?:[ \t]*,[ \t]*(?:\n[ \t]*)?|[ \t]*\n[ \t]*(?:,[ \t]*)?|[ \t]+)/y;
const UNIT_Y =
  /(?:apt|apartment|suite|ste|unit|flat|fl|floor|room|rm|bldg|building|piso|wohnung|whg|app|appt|apto|andar|#|no|nr|n°|nº)\.?[ \t]*#?[ \t]*[\p{L}\p{N}][\p{L}\p{N}-]{0,5}(?![\p{L}\p{N}])/iuy;
const LOWER_WORD_Y = /[ \t]+[a-z]/y;

/** The match of a sticky regex at `pos`, or undefined. */
function at(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
}

/** Abbreviations whose full stop belongs to the address. */
const ABBREVIATED = new Set(
  'st str ave av rd dr ln blvd ct cir pl sq ter trl pkwy hwy expy aly cres cl gr gdns pk plz pt rdg vw hts xing jct ctr lndg crk vly holw mnr sta smt tpke pde cswy byp trce bnd cv spg vlg rte nw ne sw se n s e w apt ste bldg fl rm'.split(
    ' ',
  ),
);
const PO_BOX_WORDS = new Set(['box', 'postfach', 'apartado', 'casilla']);

function isCap(t: Token | undefined): boolean {
  return !!t && t.kind === 'word' && (t.casing === 'title' || t.casing === 'upper');
}

function isNumberToken(t: Token | undefined): boolean {
  return !!t && t.kind === 'number';
}

/** A house number token possibly followed by a letter ("25a") or a range ("25-27"): the last token index. */
function houseNumberEnd(toks: Token[], i: number): number {
  const t = toks[i];
  if (!t || !isNumberToken(t) || t.text.length > 6) return -1;
  let end = i;
  const n1 = toks[i + 1];
  const n2 = toks[i + 2];
  if (n1 && n1.spaceBefore === '' && n1.kind === 'word' && n1.text.length === 1) end = i + 1;
  else if (
    n1 &&
    n2 &&
    n1.spaceBefore === '' &&
    (n1.text === '-' || n1.text === '/') &&
    isNumberToken(n2) &&
    n2.spaceBefore === ''
  )
    end = i + 2;
  return end;
}

/** True for an ordinal written with digits ("5th", "42nd"): number then st/nd/rd/th glued to it. */
function ordinalAt(toks: Token[], i: number): boolean {
  const t = toks[i];
  const n = toks[i + 1];
  return isNumberToken(t) && !!n && n.spaceBefore === '' && ORDINAL_SUFFIX.has(n.lower);
}

/** A capitalised word ending like a one-word street name (flag computed with the gazetteer look-up). */
function hasCompoundEnding(t: Token, flags: number): boolean {
  return isCap(t) && (flags & G.STREET_COMPOUND) !== 0;
}

/**
 * Extends an address to the right over a unit ("Apt. 4"), then over city, state, postal code and
 * country components separated by commas or line breaks. Returns the new end and how many components
 * were added.
 */
function extendRight(doc: Doc, end: number): { end: number; parts: number } {
  const g = gazetteers();
  const { text } = doc;
  let pos = end;
  let parts = 0;
  for (let step = 0; step < 7; step++) {
    const sepText = at(SEPARATOR_Y, text, pos) ?? '';
    const next = pos + sepText.length;
    const strongSep = sepText.includes(',') || sepText.includes('\n');
    const unit = at(UNIT_Y, text, next);
    if (unit) {
      pos = next + unit.length;
      parts++;
      continue;
    }
    if (sepText.length === 0) break;
    const postal = at(POSTAL_Y, text, next);
    if (postal) {
      // A bare 3-digit number after a plain space is more often a count than a postal code.
      if (!strongSep && postal.length === 3 && /^\d+$/.test(postal)) break;
      pos = next + postal.length;
      parts++;
      continue;
    }
    const state = at(STATE_Y, text, next);
    if (state) {
      const abbr = state.replace(/\.$/, '');
      const known = g.word(abbr.toLowerCase()) & (G.STATE_ABBR | PLACE);
      const afterState = next + state.length;
      const gap = at(SEPARATOR_Y, text, afterState) ?? '';
      const followedByPostal = at(POSTAL_Y, text, afterState + gap.length) !== undefined;
      if (known || followedByPostal || strongSep) {
        pos = afterState;
        parts++;
        continue;
      }
    }
    const place = at(PLACE_Y, text, next);
    if (place) {
      const words = place;
      const key = doc.lower.slice(next, next + words.length);
      const space = key.indexOf(' ');
      const firstFlags = g.word(space < 0 ? key : key.slice(0, space));
      const known = (space < 0 ? firstFlags : g.phrase(key)) & PLACE;
      const afterPlace = next + words.length;
      const gap = at(SEPARATOR_Y, text, afterPlace) ?? '';
      const nextIsPostalOrState =
        at(POSTAL_Y, text, afterPlace + gap.length) !== undefined ||
        at(STATE_Y, text, afterPlace + gap.length) !== undefined;
      const commonStart = (firstFlags & G.VERY_COMMON) !== 0 && !known;
      if ((strongSep || nextIsPostalOrState || known) && !commonStart) {
        // Do not swallow a following sentence: stop before a capitalised word followed by lower-case text.
        if (!strongSep && !nextIsPostalOrState && !known && at(LOWER_WORD_Y, text, afterPlace)) break;
        pos = afterPlace;
        parts++;
        continue;
      }
    }
    break;
  }
  return { end: pos, parts };
}

/** Street names with house numbers, units, PO boxes, and the city/state/postal tail that follows them. */
export const addressRecognizer: Recognizer = {
  name: 'address',
  entityTypes: ['location_address', 'location_address_street'],
  find(doc) {
    const toks = doc.tokens;
    const flagsOf = tokenFlags(doc);
    const isSuffix = (t: Token | undefined): boolean => !!t && ((flagsOf[t.i] ?? 0) & G.STREET_SUFFIX) !== 0;
    const out: Candidate[] = [];
    const push = (startTok: number, endTok: number, base: number, needsNumber: boolean, hasNumber: boolean): void => {
      const first = toks[startTok];
      const last = toks[endTok];
      if (!first || !last) return;
      if (needsNumber && !hasNumber) return;
      let end = last.end;
      // Keep the full stop of an abbreviated street type ("Main St."), not a sentence's ("Wallaby Way.").
      const dot = toks[endTok + 1];
      if (dot && dot.text === '.' && dot.spaceBefore === '' && ABBREVIATED.has(last.lower)) end = dot.end;
      const ext = extendRight(doc, end);
      let score = base + (hasNumber ? 0 : -0.3) + Math.min(ext.parts, 2) * 0.05;
      if (!hasNumber) {
        const ctx = contextBefore(doc, first.start, 4, ADDRESS_CONTEXT);
        if (ctx) score += 0.15;
      }
      out.push(
        cand(
          first.start,
          ext.end,
          ext.parts > 0 ? 'location_address' : 'location_address_street',
          Math.min(score, 0.95),
          'address',
        ),
      );
    };

    for (let k = 0; k < toks.length; k++) {
      const t = toks[k];
      if (t?.kind !== 'word') continue;
      const lower = t.lower;
      const flags = flagsOf[k] ?? 0;
      const cap = isCap(t);
      // Most words are none of the markers below: skip them before any string work.
      if (!(flags & (G.STREET_SUFFIX | G.STREET_PREFIX | G.UNIT | G.STREET_COMPOUND))) continue;

      // 1. Street type after the name: "[123] [N] Main [Street] St[.] [5]".
      if (cap && flags & G.STREET_SUFFIX && k > 0) {
        let j = k - 1;
        let nameWords = 0;
        while (j >= 0 && nameWords < 4) {
          const p = toks[j];
          if (!p) break;
          if (p.spaceBefore === '\n' && nameWords > 0) break;
          if (isCap(p) && !isSuffix(p)) {
            nameWords++;
            j--;
            continue;
          }
          if (p.kind === 'word' && ORDINAL_SUFFIX.has(p.lower) && ordinalAt(toks, j - 1)) {
            nameWords++;
            j -= 2;
            continue;
          }
          if (p.kind === 'word' && NAME_PARTICLES.has(p.lower) && nameWords > 0) {
            j--;
            continue;
          }
          if (p.text === '.' && toks[j - 1] && DIRECTIONS.has(toks[j - 1]?.lower ?? '')) {
            j--;
            continue;
          }
          break;
        }
        if (nameWords > 0) {
          let startTok = j + 1;
          // Drop a leading direction word that was counted as a name (it stays inside the span anyway).
          const before = toks[j];
          let hasNumber = false;
          if (before && houseNumberEnd(toks, j) >= j && before.kind === 'number') {
            startTok = j;
            hasNumber = true;
          } else if (before && before.text === ',' && isNumberToken(toks[j - 1])) {
            startTok = j - 1;
            hasNumber = true;
          } else {
            // A number right after the street type ("Baker Street 221").
            const n = toks[k + 1];
            if (n && isNumberToken(n) && n.spaceBefore === ' ') {
              push(startTok, houseNumberEnd(toks, k + 1), 0.8, false, true);
              continue;
            }
            // The first word of a sentence that happens to be followed by "Way" or "Park" is no street.
            if (toks[startTok]?.sentenceStart && nameWords === 1) continue;
          }
          push(startTok, k, 0.8, false, hasNumber);
          continue;
        }
      }

      // 2. Street type glued to the name, with a house number: "Koskikatu 25", "25 Hauptstraße".
      if (cap && !(flags & G.STREET_SUFFIX) && hasCompoundEnding(t, flags)) {
        const n = toks[k + 1];
        if (n && isNumberToken(n) && (n.spaceBefore === ' ' || n.spaceBefore === '')) {
          let startTok = k;
          const p = toks[k - 1];
          if (isNumberToken(p)) startTok = k - 1;
          push(startTok, houseNumberEnd(toks, k + 1), 0.75, false, true);
          continue;
        }
        const p = toks[k - 1];
        if (isNumberToken(p)) {
          push(k - 1, k, 0.7, false, true);
          continue;
        }
      }

      // 3. Street type before the name: "Rue de la Paix 12", "12 rue de la Paix", "Via Roma, 3".
      if (flags & G.STREET_PREFIX && (cap || toks[k - 1]?.kind === 'number')) {
        let j = k + 1;
        let nameWords = 0;
        let lastName = k;
        while (j < toks.length && j - k <= 7) {
          const n = toks[j];
          if (!n || n.spaceBefore === '\n') break;
          if (n.kind === 'word' && (isCap(n) || (NAME_PARTICLES.has(n.lower) && nameWords >= 0))) {
            if (isCap(n)) {
              nameWords++;
              lastName = j;
            }
            j++;
            continue;
          }
          if (n.text === '.' && n.spaceBefore === '' && j === k + 1) {
            j++;
            continue;
          }
          if (ordinalAt(toks, j)) {
            nameWords++;
            lastName = j + 1;
            j += 2;
            continue;
          }
          break;
        }
        if (nameWords > 0) {
          const p = toks[k - 1];
          if (isNumberToken(p)) {
            push(k - 1, lastName, 0.75, false, true);
            continue;
          }
          let after = lastName + 1;
          if (toks[after]?.text === ',') after++;
          if (isNumberToken(toks[after])) {
            push(k, houseNumberEnd(toks, after), 0.75, false, true);
            continue;
          }
          if (isCap(t) && !t.sentenceStart) push(k, lastName, 0.7, false, false);
        }
      }

      // 4. A unit on its own: "Apt. 864", "Suite 200".
      if (flags & G.UNIT && cap && STANDALONE_UNITS.has(lower)) {
        let j = k + 1;
        if (toks[j]?.text === '.') j++;
        if (toks[j]?.text === '#') j++;
        const n = toks[j];
        if (
          n &&
          (n.kind === 'number' ||
            (n.kind === 'word' && /\d/.test(n.text) === false && n.text.length <= 2 && n.casing === 'upper'))
        ) {
          const endTok = n.kind === 'number' ? houseNumberEnd(toks, j) : j;
          const endToken = toks[endTok];
          if (endToken) {
            const ext = extendRight(doc, endToken.end);
            out.push(cand(t.start, ext.end, 'location_address', 0.55 + Math.min(ext.parts, 2) * 0.1, 'address'));
          }
        }
      }
    }

    // PO boxes.
    if (doc.hasDigit && doc.tokens.some((t) => PO_BOX_WORDS.has(t.lower)))
      for (const m of doc.text.matchAll(
        /\b(?:P\.?\s?O\.?\s?Box|Post Office Box|Postfach|Apartado(?: de correos)?|Casilla)\s+\d{1,6}\b/giu,
      )) {
        const ext = extendRight(doc, m.index + m[0].length);
        out.push(cand(m.index, ext.end, 'location_address', 0.8, 'address'));
      }

    return mergeAdjacent(doc, out);
  },
};

/** Joins address pieces separated only by commas, spaces or a line break into one address. */
function mergeAdjacent(doc: Doc, cands: Candidate[]): Candidate[] {
  if (cands.length < 2) return cands;
  const sorted = [...cands].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Candidate[] = [];
  for (const c of sorted) {
    const prev = out[out.length - 1];
    if (prev && c.start <= prev.end + 3 && /^[\s,]*$/.test(doc.text.slice(prev.end, Math.max(prev.end, c.start)))) {
      if (c.end > prev.end) {
        prev.end = c.end;
        prev.entityType = 'location_address';
        prev.score = Math.min(0.95, Math.max(prev.score, c.score) + 0.05);
      }
      continue;
    }
    out.push({ ...c });
  }
  return out;
}
