import { mayHaveContext } from '../context.js';
import type { Recognizer } from '../model.js';
import { cand, digitPattern, matchAll } from './util.js';

const COORDINATE = digitPattern(
  /(?<![\d.-])(-?(?:[1-8]?\d(?:\.\d{3,})|90(?:\.0+)?))\s*,\s*(-?(?:1[0-7]\d|\d{1,2})(?:\.\d{3,})|-?180(?:\.0+)?)(?![\d.])/g,
  1,
);
const DMS = digitPattern(
  /\b\d{1,3}°\s?\d{1,2}['′]\s?(?:\d{1,2}(?:\.\d+)?["″])?\s?[NSEW]\b[,\s]+\d{1,3}°\s?\d{1,2}['′]\s?(?:\d{1,2}(?:\.\d+)?["″])?\s?[NSEW]\b/g,
  0,
);
const FILENAME =
  /(?<![\w.@/-])[\w][\w.-]{0,120}\.(?:pdf|docx?|xlsx?|pptx?|csv|tsv|txt|rtf|odt|ods|json|xml|ya?ml|html?|md|log|zip|tar|gz|tgz|7z|rar|png|jpe?g|gif|bmp|tiff?|svg|heic|mp3|wav|m4a|mp4|mov|avi|mkv|eml|msg|key|pem|p12|pfx|sql|db|sqlite|bak|exe|dmg|apk|ics|vcf)\b/gi;
const FILE_HINT =
  /\.(?:pdf|docx?|xlsx?|pptx?|csv|tsv|txt|rtf|odt|ods|json|xml|ya?ml|html?|md|log|zip|tar|gz|tgz|7z|rar|png|jpe?g|gif|bmp|tiff?|svg|heic|mp3|wav|m4a|mp4|mov|avi|mkv|eml|msg|key|pem|p12|pfx|sql|db|sqlite|bak|exe|dmg|apk|ics|vcf)\b/;
const MEDICAL_CODE = digitPattern(/\b[A-TV-Z]\d{2}(?:\.\d{1,4}[A-Z]?)?\b/g, 1);
const MEDICAL_CONTEXT = ['icd', 'icd-10', 'icd10', 'diagnosis', 'diagnosed', 'code', 'dx', 'cpt'];

/** Geographic coordinates, file names and ICD-10 diagnosis codes (by context). */
export const technicalRecognizer: Recognizer = {
  name: 'technical',
  entityTypes: ['location_coordinate', 'filename', 'medical_code'],
  find(doc) {
    return [
      ...(!doc.hasDigit || !/\d\.\d{3}/.test(doc.text)
        ? []
        : matchAll(doc.text, COORDINATE, (m) =>
            cand(m.index, m.index + m[0].length, 'location_coordinate', 0.6, 'technical', {
              context: ['coordinates', 'gps', 'lat', 'latitude', 'location', 'located', 'position'],
            }),
          )),
      ...(!doc.text.includes('°')
        ? []
        : matchAll(doc.text, DMS, (m) =>
            cand(m.index, m.index + m[0].length, 'location_coordinate', 0.8, 'technical'),
          )),
      ...(!FILE_HINT.test(doc.lower)
        ? []
        : matchAll(doc.text, FILENAME, (m) =>
            cand(m.index, m.index + m[0].length, 'filename', 0.6, 'technical', {
              context: ['file', 'attached', 'attachment', 'document', 'open', 'download', 'upload', 'saved'],
            }),
          )),
      ...(!doc.hasDigit || !mayHaveContext(doc, MEDICAL_CONTEXT)
        ? []
        : matchAll(doc.text, MEDICAL_CODE, (m) =>
            cand(m.index, m.index + m[0].length, 'medical_code', 0.2, 'technical', {
              context: MEDICAL_CONTEXT,
              requiresContext: true,
            }),
          )),
    ];
  },
};
