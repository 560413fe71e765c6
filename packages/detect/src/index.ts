export {
  type AnalysisResult,
  type AnalyzeOptions,
  Analyzer,
  type AnalyzerOptions,
  DEFAULT_MIN_SCORE,
  type RestrictedSpan,
} from './analyzer.js';
export { addDays, planShift, type ShiftPlan, shiftDateText } from './deidentify/date-shift.js';
export {
  countWordsAndCharacters,
  type DeidentifiedEntity,
  Deidentifier,
  DeidentifyError,
  type DeidentifyHooks,
  type DeidentifyStringRequest,
  type DeidentifyStringResponse,
  deidentifyString,
  type TokenFormat,
  type TokenizeItem,
  type TokenTypeOptions,
  type Transformations,
  tokenFormatFor,
  type VaultTokenizer,
} from './deidentify/index.js';
export { indexMapper } from './deidentify/offsets.js';
export {
  type DetectableType,
  ENTITY_TYPES,
  type EntityType,
  isEntityType,
  placeholderStem,
  SUBTYPES,
  selectTypes,
} from './entity-types.js';
export type { Candidate, DetectedEntity, Recognizer } from './model.js';
export { BUILT_IN_RECOGNIZERS } from './recognizers/index.js';
export {
  type DetokenizeItem,
  type FoundToken,
  findVaultTokens,
  maskValue,
  type Redaction,
  type ReidentifyFormat,
  type ReidentifyHooks,
  type ReidentifyStringRequest,
  type ReidentifyStringResponse,
  redactionFor,
  reidentifyString,
  type VaultDetokenizer,
} from './reidentify/index.js';
export { type Doc, prepare, type Token } from './text/doc.js';
export { InvalidRegexError } from './user-regex.js';
