import { mayHaveContext } from '../context.js';
import type { Recognizer } from '../model.js';
import { vinConfidence } from '../validators/vin.js';
import { cand, digitPattern, matchAll } from './util.js';

const DL_CONTEXT = [
  "driver's license",
  'drivers license',
  'driver license',
  "driver's licence",
  'driving licence',
  'driving license',
  'license',
  'licence',
  'dl',
  'd.l',
  'license number',
  'licence number',
  'lic',
  'dmv',
];
const PASSPORT_CONTEXT = ['passport', 'passport number', 'passport no', 'passport #', 'travel document'];
const HEALTH_CONTEXT = [
  'medicare',
  'medicaid',
  'nhs',
  'health insurance',
  'insurance',
  'member id',
  'policy',
  'health card',
  'mrn',
  'medical record',
  'patient id',
  'beneficiary',
  'healthcare',
];
// Driver's licences: US states use 1–2 letters plus 4–14 digits, 7–13 digits, or dashed groups.
const DL = digitPattern(
  /(?<![\w-])(?:[A-Z]{1,2}[- ]?\d{4,14}|\d{7,13}|\d{3,4}-\d{2,3}-\d{3,4}|[A-Z]\d{3}-\d{3}-\d{2}-\d{3}-\d|[A-Z]{1,2}\d{2,3}-\d{3,4}-\d{3,4})(?![\w-])/g,
  3,
);
const PASSPORT = digitPattern(/(?<![\w-])(?:[A-Z]{1,2}\d{6,8}|\d{9}|[A-Z]\d{7}[A-Z]?)(?![\w-])/g, 3);
const HEALTH = digitPattern(
  /(?<![\w-])(?:\d{3}[ -]?\d{3}[ -]?\d{4}|\d{1}[A-Z]{1,2}\d[-]?[A-Z]{2}\d[-]?[A-Z]{2}\d{2}|[A-Z]{3}\d{6,9}|\d{9,12}[A-Z]?)(?![\w-])/g,
  4,
);
const VIN = digitPattern(/\b[A-HJ-NPR-Z0-9]{17}\b/gi, 17);

/** Driver's licence, passport, health-insurance and vehicle identification numbers. */
export const identityDocumentsRecognizer: Recognizer = {
  name: 'identity_documents',
  entityTypes: ['driver_license', 'passport_number', 'healthcare_number', 'vehicle_id'],
  find(doc) {
    if (!doc.hasDigit) return [];
    return [
      ...(!mayHaveContext(doc, DL_CONTEXT)
        ? []
        : matchAll(doc.text, DL, (m) =>
            cand(m.index, m.index + m[0].length, 'driver_license', 0.25, 'identity_documents', {
              context: DL_CONTEXT,
              requiresContext: true,
            }),
          )),
      ...(!mayHaveContext(doc, PASSPORT_CONTEXT)
        ? []
        : matchAll(doc.text, PASSPORT, (m) =>
            cand(m.index, m.index + m[0].length, 'passport_number', 0.25, 'identity_documents', {
              context: PASSPORT_CONTEXT,
              requiresContext: true,
            }),
          )),
      ...(!mayHaveContext(doc, HEALTH_CONTEXT)
        ? []
        : matchAll(doc.text, HEALTH, (m) =>
            cand(m.index, m.index + m[0].length, 'healthcare_number', 0.2, 'identity_documents', {
              context: HEALTH_CONTEXT,
              requiresContext: true,
            }),
          )),
      ...(doc.longestRun < 17
        ? []
        : matchAll(doc.text, VIN, (m) => {
            const c = vinConfidence(m[0]);
            return c > 0
              ? cand(m.index, m.index + 17, 'vehicle_id', c >= 1 ? 0.85 : 0.4, 'identity_documents', {
                  context: ['vin', 'vehicle', 'car', 'chassis', 'truck'],
                })
              : undefined;
          })),
    ];
  },
};
