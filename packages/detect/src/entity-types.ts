/**
 * The Detect entity types, exactly as they travel on the wire (wire spec §6.9). `all` is a request-side
 * shorthand for every type and is never reported on a detected entity.
 */
export const ENTITY_TYPES = [
  'account_number',
  'age',
  'all',
  'bank_account',
  'blood_type',
  'condition',
  'corporate_action',
  'credit_card',
  'credit_card_expiration',
  'cvv',
  'date',
  'date_interval',
  'day',
  'dob',
  'dose',
  'driver_license',
  'drug',
  'duration',
  'effect',
  'email_address',
  'event',
  'filename',
  'financial_metric',
  'gender',
  'healthcare_number',
  'injury',
  'ip_address',
  'language',
  'location',
  'location_address',
  'location_address_street',
  'location_city',
  'location_coordinate',
  'location_country',
  'location_state',
  'location_zip',
  'marital_status',
  'medical_code',
  'medical_process',
  'money',
  'month',
  'name',
  'name_family',
  'name_given',
  'name_medical_professional',
  'numerical_pii',
  'occupation',
  'organization',
  'organization_id',
  'organization_medical_facility',
  'origin',
  'passport_number',
  'password',
  'phone_number',
  'physical_attribute',
  'political_affiliation',
  'product',
  'project',
  'religion',
  'routing_number',
  'sexuality',
  'ssn',
  'statistics',
  'time',
  'trend',
  'url',
  'username',
  'vehicle_id',
  'year',
  'zodiac_sign',
] as const;

/** One wire entity type string (§6.9), including the request-only `all`. */
export type EntityType = (typeof ENTITY_TYPES)[number];

/** An entity type a detection can carry: every §6.9 type except the `all` shorthand. */
export type DetectableType = Exclude<EntityType, 'all'>;

const KNOWN = new Set<string>(ENTITY_TYPES);
const ALL_DETECTABLE = ENTITY_TYPES.filter((t): t is DetectableType => t !== 'all');
/** Shared by every "all types" selection; callers only read it. */
const ALL_SET: ReadonlySet<DetectableType> = new Set(ALL_DETECTABLE);

/** True when `value` is one of the §6.9 wire strings. */
export function isEntityType(value: string): value is EntityType {
  return KNOWN.has(value);
}

/**
 * Narrower types that a request for the broader one also covers: asking for `location` must return
 * cities and street addresses, asking for `name` must return given and family names. The hierarchy is
 * ours (the wire list is flat); it only widens what a request selects, never what is reported.
 */
export const SUBTYPES: Readonly<Partial<Record<DetectableType, readonly DetectableType[]>>> = {
  name: ['name_given', 'name_family', 'name_medical_professional'],
  location: [
    'location_address',
    'location_address_street',
    'location_city',
    'location_coordinate',
    'location_country',
    'location_state',
    'location_zip',
  ],
  location_address: ['location_address_street', 'location_zip'],
  organization: ['organization_medical_facility'],
  date: ['dob'],
};

/**
 * Expands a request's `entity_types` into the set of detectable types it selects: `all` (or an
 * empty/absent list, which the wire treats as "not set") selects everything; a broad type selects its
 * narrower types too.
 */
export function selectTypes(requested: readonly string[] | null | undefined): ReadonlySet<DetectableType> {
  if (!requested || requested.length === 0 || requested.includes('all')) return ALL_SET;
  const out = new Set<DetectableType>();
  const visit = (t: DetectableType): void => {
    if (out.has(t)) return;
    out.add(t);
    for (const sub of SUBTYPES[t] ?? []) visit(sub);
  };
  for (const t of requested) {
    if (isEntityType(t) && t !== 'all') visit(t);
  }
  return out;
}

/** The placeholder stem written into processed text for a type: `name` → `NAME`, `ssn` → `SSN`. */
export function placeholderStem(type: DetectableType | 'restricted'): string {
  let stem = STEMS.get(type);
  if (stem === undefined) {
    stem = type.toUpperCase();
    STEMS.set(type, stem);
  }
  return stem;
}

const STEMS = new Map<string, string>();
