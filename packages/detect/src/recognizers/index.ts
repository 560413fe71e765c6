import type { Recognizer } from '../model.js';
import { addressRecognizer } from './address.js';
import { ageRecognizer } from './age.js';
import { bankAccountRecognizer } from './bank-account.js';
import { credentialsRecognizer } from './credentials.js';
import { creditCardRecognizer } from './credit-card.js';
import { dateTimeRecognizer } from './date-time.js';
import { emailRecognizer } from './email.js';
import { financialRecognizer } from './financial.js';
import { identityDocumentsRecognizer } from './identity-documents.js';
import { ipAddressRecognizer } from './ip-address.js';
import { nrpRecognizer } from './nrp.js';
import { occupationRecognizer } from './occupation.js';
import { personalAttributesRecognizer } from './personal-attributes.js';
import { phoneRecognizer } from './phone.js';
import { postalCodeRecognizer } from './postal-code.js';
import { properNounRecognizer } from './proper-nouns.js';
import { ssnRecognizer } from './ssn.js';
import { technicalRecognizer } from './technical.js';
import { urlRecognizer } from './url.js';

/** Every built-in recognizer, in no particular order (overlap resolution decides between them). */
export const BUILT_IN_RECOGNIZERS: readonly Recognizer[] = [
  emailRecognizer,
  urlRecognizer,
  ipAddressRecognizer,
  creditCardRecognizer,
  ssnRecognizer,
  bankAccountRecognizer,
  phoneRecognizer,
  dateTimeRecognizer,
  ageRecognizer,
  postalCodeRecognizer,
  addressRecognizer,
  properNounRecognizer,
  nrpRecognizer,
  occupationRecognizer,
  personalAttributesRecognizer,
  credentialsRecognizer,
  identityDocumentsRecognizer,
  financialRecognizer,
  technicalRecognizer,
];

export {
  addressRecognizer,
  ageRecognizer,
  bankAccountRecognizer,
  credentialsRecognizer,
  creditCardRecognizer,
  dateTimeRecognizer,
  emailRecognizer,
  financialRecognizer,
  identityDocumentsRecognizer,
  ipAddressRecognizer,
  nrpRecognizer,
  occupationRecognizer,
  personalAttributesRecognizer,
  phoneRecognizer,
  postalCodeRecognizer,
  properNounRecognizer,
  ssnRecognizer,
  technicalRecognizer,
  urlRecognizer,
};
