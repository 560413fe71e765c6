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
  type DeidentifyRequestOptions,
  DeidentifySession,
  type DeidentifyStringRequest,
  type DeidentifyStringResponse,
  defaultDeidentifier,
  deidentifyString,
  type PlannedPiece,
  type Replacement,
  type TokenFormat,
  type TokenizeItem,
  type TokenTypeOptions,
  type Transformations,
  tokenFormatFor,
  VAULT_TOKEN_BATCH,
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
export {
  DEFAULT_MAX_CELLS,
  DEFAULT_MAX_UNCOMPRESSED_BYTES,
  DEIDENTIFY_FILE_FORMATS,
  type DeidentifiedFileEntity,
  type DeidentifyFileFormat,
  type DeidentifyFileResult,
  deidentifyFile,
  FileFormatError,
  type FileHooks,
  type FileLimits,
  type FileProgress,
  REIDENTIFY_FILE_FORMATS,
  type ReidentifyFileFormat,
  reidentifyFile,
} from './files/index.js';
export type { Candidate, DetectedEntity, Recognizer } from './model.js';
export { BUILT_IN_RECOGNIZERS } from './recognizers/index.js';
export {
  DETOKENIZE_BATCH,
  type DetokenizeItem,
  type FoundPiece,
  type FoundToken,
  findVaultTokens,
  maskValue,
  type Redaction,
  type ReidentifyFormat,
  type ReidentifyHooks,
  type ReidentifyRequestOptions,
  ReidentifySession,
  type ReidentifyStringRequest,
  type ReidentifyStringResponse,
  redactionFor,
  reidentifyString,
  type VaultDetokenizer,
} from './reidentify/index.js';
export { type Doc, prepare, type Token } from './text/doc.js';
export { InvalidRegexError } from './user-regex.js';
