import type { Datatype } from './model.js';

/**
 * The tags a vault schema may carry, from Skyflow's tag catalogue. Functional tags change how values
 * are validated, tokenized, redacted or looked up; informational ones are kept and returned as given.
 */

export const TAG = {
  tokenPolicy: 'skyflow.options.default_token_policy',
  formatPreservingRegex: 'skyflow.options.format_preserving_regex',
  tokenPrefix: 'skyflow.options.token_prefix',
  tokenFixedLength: 'skyflow.options.token_fixed_length',
  tokenSeparator: 'skyflow.options.token_separator',
  ttl: 'skyflow.options.ttl',
  redaction: 'skyflow.options.default_dlp_policy',
  findPattern: 'skyflow.options.find_pattern',
  replacePattern: 'skyflow.options.replace_pattern',
  unique: 'skyflow.options.unique',
  notNull: 'skyflow.options.not_null',
  index: 'skyflow.options.index',
  configurationTags: 'skyflow.options.configuration_tags',
  columnGroup: 'skyflow.options.column_group',
  operation: 'skyflow.options.operation',
  validationRegex: 'skyflow.validation.regular_exp',
  predefinedValues: 'skyflow.validation.predefinedvalues',
  minValue: 'skyflow.validation.minValue',
  maxValue: 'skyflow.validation.maxValue',
  dataType: 'skyflow.options.data_type',
  entity: 'skyflow.options.entity',
  fileType: 'skyflow.options.file_type',
  allowedFileTypes: 'skyflow.options.allowed_file_types',
  fileUploadUrlExpiry: 'skyflow.options.fileuploadurl_expiry',
  referencesKey: 'skyflow.options.references_key',
  displayName: 'skyflow.options.display_name',
  description: 'skyflow.options.description',
  sensitivity: 'skyflow.options.sensitivity',
  identifiability: 'skyflow.options.identifiability',
  personalInformationType: 'skyflow.options.personal_information_type',
  privacyLaw: 'skyflow.options.privacy_law',
} as const;

/** Informational tags with a closed set of values; `undefined` means free text. */
export const INFORMATIONAL_FIELD_TAGS: ReadonlyMap<string, readonly string[] | undefined> = new Map([
  [TAG.displayName, undefined],
  [TAG.description, undefined],
  [TAG.sensitivity, ['HIGH', 'MEDIUM', 'LOW']],
  [
    TAG.identifiability,
    ['UNKNOWN_IDENTIFIABILITY', 'HIGH_IDENTIFIABILITY', 'MODERATE_IDENTIFIABILITY', 'LOW_IDENTIFIABILITY'],
  ],
  [TAG.personalInformationType, ['PII', 'PHI', 'PCI', 'NPI']],
  [TAG.privacyLaw, ['UNKNOWN_PRIVACY_LAW', 'GDPR', 'CCPA', 'COPPA', 'HIPAA', 'GLBA', 'US_PRIVACY_ACTIVITY']],
  [TAG.dataType, undefined],
  [TAG.entity, undefined],
  [TAG.index, ['true', 'false']],
  [TAG.referencesKey, undefined],
  [TAG.fileType, ['blob']],
  [TAG.allowedFileTypes, undefined],
  [TAG.fileUploadUrlExpiry, undefined],
]);

export const TABLE_TAGS: ReadonlySet<string> = new Set([
  TAG.displayName,
  TAG.description,
  TAG.dataType,
  TAG.referencesKey,
  TAG.minValue,
  TAG.maxValue,
]);

export const VAULT_TAGS: ReadonlySet<string> = new Set([
  TAG.displayName,
  TAG.description,
  'skyflow.options.experimental',
  'skyflow.options.template_description',
  'skyflow.options.vault_main_object',
  'skyflow.options.query_interface',
  'skyflow.options.env_name',
  'skyflow.options.tier',
]);

export const CONFIGURATION_TAG_VALUES = [
  'NULLABLE',
  'PRIMARY_KEY',
  'UNIQUE',
  'INDEX',
  'FOREIGN_KEY',
  'NOT_NULL',
  'META_DATA',
] as const;

const SCALAR: readonly Datatype[] = [
  'DT_INT32',
  'DT_INT64',
  'DT_FLOAT32',
  'DT_FLOAT64',
  'DT_BOOL',
  'DT_STRING',
  'DT_ENUM',
  'DT_DATETIME',
  'DT_DATE',
  'DT_TIME',
];
const TEXTUAL: readonly Datatype[] = ['DT_STRING', 'DT_ENUM', 'DT_DATETIME', 'DT_DATE', 'DT_TIME'];

/** Datatypes each token policy may be used with (the catalogue's `dataTypes`, with 64-bit numbers added). */
export const TOKEN_POLICY_DATATYPES: Readonly<Record<string, readonly Datatype[]>> = {
  RANDOM_TOKEN: [...SCALAR, 'DT_EMBEDDED'],
  NON_DETERMINISTIC_UUID: [...SCALAR, 'DT_EMBEDDED'],
  DETERMINISTIC_UUID: SCALAR,
  FORMAT_PRESERVING_TOKEN: TEXTUAL,
  DETERMINISTIC_FPT: [...TEXTUAL, 'DT_INT32', 'DT_INT64', 'DT_FLOAT32', 'DT_FLOAT64'],
  NON_DETERMINISTIC_FPT: TEXTUAL,
  DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4: ['DT_STRING'],
  DETERMINISTIC_PRESERVE_EMAIL_DOMAIN: ['DT_STRING'],
  DETERMINISTIC_PRESERVE_RIGHT_4: ['DT_STRING'],
  NON_DETERMINISTIC_PRESERVE_RIGHT_4: ['DT_STRING'],
  NON_DETERMINISTIC_TRANSIENT_UUID: SCALAR,
};

export const REDACTION_DATATYPES: Readonly<Record<string, readonly Datatype[]>> = {
  REDACT: [...SCALAR, 'DT_EMBEDDED', 'DT_FILE_TYPE'],
  MASK: [...TEXTUAL, 'DT_EMBEDDED'],
  PLAIN_TEXT: [...SCALAR, 'DT_EMBEDDED', 'DT_FILE_TYPE'],
};

export const OPERATION_DATATYPES: Readonly<Record<string, readonly Datatype[]>> = {
  EXACT_MATCH: [...SCALAR, 'DT_FILE_TYPE'],
  AGGREGATION: ['DT_INT32', 'DT_INT64', 'DT_FLOAT32', 'DT_FLOAT64'],
  ORDER: ['DT_INT32', 'DT_INT64', 'DT_FLOAT32', 'DT_FLOAT64', 'DT_DATETIME', 'DT_DATE', 'DT_TIME'],
  ALL_OP: [...SCALAR, 'DT_EMBEDDED', 'DT_FILE_TYPE'],
};

export const UNIQUE_DATATYPES: readonly Datatype[] = [
  'DT_INT32',
  'DT_INT64',
  'DT_FLOAT32',
  'DT_FLOAT64',
  'DT_STRING',
  'DT_DATETIME',
  'DT_DATE',
  'DT_TIME',
];

/**
 * `skyflow.options.ttl` is given in minutes: at least 1, at most 20160 (14 days), 60 when absent
 * (Skyflow's vault settings reference).
 */
export const MAX_TTL_MINUTES = 20_160;
export const DEFAULT_TTL_MINUTES = 60;

/** Tags that take exactly one value (the catalogue's tags without `canTakeMultipleValues`). */
export const SINGLE_VALUED_TAGS: ReadonlySet<string> = new Set([
  TAG.tokenPolicy,
  TAG.formatPreservingRegex,
  TAG.tokenPrefix,
  TAG.tokenFixedLength,
  TAG.tokenSeparator,
  TAG.ttl,
  TAG.redaction,
  TAG.findPattern,
  TAG.replacePattern,
  TAG.unique,
  TAG.notNull,
  TAG.index,
  TAG.columnGroup,
  TAG.minValue,
  TAG.maxValue,
  TAG.dataType,
  TAG.fileType,
  TAG.displayName,
  TAG.description,
]);

/** Informational tags a schema may put on the vault-managed `skyflow_id` column. */
export const SKYFLOW_ID_INFORMATIONAL_TAGS: ReadonlySet<string> = new Set([
  TAG.displayName,
  TAG.description,
  TAG.sensitivity,
  TAG.identifiability,
  TAG.personalInformationType,
  TAG.privacyLaw,
]);
