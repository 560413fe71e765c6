/**
 * The Detect entity types (wire spec §6.9), as skyflow-node's `DetectEntities`: `DetectEntities.EMAIL_ADDRESS`
 * is `'email_address'`. `ALL` selects every type.
 */
export const DetectEntities = {
  ACCOUNT_NUMBER: 'account_number',
  AGE: 'age',
  ALL: 'all',
  BANK_ACCOUNT: 'bank_account',
  BLOOD_TYPE: 'blood_type',
  CONDITION: 'condition',
  CORPORATE_ACTION: 'corporate_action',
  CREDIT_CARD: 'credit_card',
  CREDIT_CARD_EXPIRATION: 'credit_card_expiration',
  CVV: 'cvv',
  DATE: 'date',
  DATE_INTERVAL: 'date_interval',
  DAY: 'day',
  DOB: 'dob',
  DOSE: 'dose',
  DRIVER_LICENSE: 'driver_license',
  DRUG: 'drug',
  DURATION: 'duration',
  EFFECT: 'effect',
  EMAIL_ADDRESS: 'email_address',
  EVENT: 'event',
  FILENAME: 'filename',
  FINANCIAL_METRIC: 'financial_metric',
  GENDER: 'gender',
  HEALTHCARE_NUMBER: 'healthcare_number',
  INJURY: 'injury',
  IP_ADDRESS: 'ip_address',
  LANGUAGE: 'language',
  LOCATION: 'location',
  LOCATION_ADDRESS: 'location_address',
  LOCATION_ADDRESS_STREET: 'location_address_street',
  LOCATION_CITY: 'location_city',
  LOCATION_COORDINATE: 'location_coordinate',
  LOCATION_COUNTRY: 'location_country',
  LOCATION_STATE: 'location_state',
  LOCATION_ZIP: 'location_zip',
  MARITAL_STATUS: 'marital_status',
  MEDICAL_CODE: 'medical_code',
  MEDICAL_PROCESS: 'medical_process',
  MONEY: 'money',
  MONTH: 'month',
  NAME: 'name',
  NAME_FAMILY: 'name_family',
  NAME_GIVEN: 'name_given',
  NAME_MEDICAL_PROFESSIONAL: 'name_medical_professional',
  NUMERICAL_PII: 'numerical_pii',
  OCCUPATION: 'occupation',
  ORGANIZATION: 'organization',
  ORGANIZATION_ID: 'organization_id',
  ORGANIZATION_MEDICAL_FACILITY: 'organization_medical_facility',
  ORIGIN: 'origin',
  PASSPORT_NUMBER: 'passport_number',
  PASSWORD: 'password',
  PHONE_NUMBER: 'phone_number',
  PHYSICAL_ATTRIBUTE: 'physical_attribute',
  POLITICAL_AFFILIATION: 'political_affiliation',
  PRODUCT: 'product',
  PROJECT: 'project',
  RELIGION: 'religion',
  ROUTING_NUMBER: 'routing_number',
  SEXUALITY: 'sexuality',
  SSN: 'ssn',
  STATISTICS: 'statistics',
  TIME: 'time',
  TREND: 'trend',
  URL: 'url',
  USERNAME: 'username',
  VEHICLE_ID: 'vehicle_id',
  YEAR: 'year',
  ZODIAC_SIGN: 'zodiac_sign',
} as const;
export type DetectEntities = (typeof DetectEntities)[keyof typeof DetectEntities];

/** How de-identification writes an entity (§6.1): a numbered placeholder, the type name, or a vault token. */
export const TokenType = {
  /** `[NAME_1]`, `[EMAIL_ADDRESS_2]`: numbered per type within the request. */
  ENTITY_UNIQUE_COUNTER: 'entity_unq_counter',
  /** `[NAME]`. */
  ENTITY_ONLY: 'entity_only',
  /** `[NAME_<token>]`: the value is stored in the vault, and `reidentifyText` brings it back. */
  VAULT_TOKEN: 'vault_token',
} as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

/** The state of a file run (§6.5). */
export const DetectRunStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCESS: 'SUCCESS',
  FAILED: 'FAILED',
} as const;
export type DetectRunStatus = (typeof DetectRunStatus)[keyof typeof DetectRunStatus];
