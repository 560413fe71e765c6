/** How values come back (§5.12). `DEFAULT` is the column's configured redaction, capped by policies. */
export enum RedactionType {
  DEFAULT = 'DEFAULT',
  PLAIN_TEXT = 'PLAIN_TEXT',
  MASKED = 'MASKED',
  REDACTED = 'REDACTED',
}

/** Bring-your-own-token mode (`byot`) of insert and update (§5.11). */
export enum TokenMode {
  /** Tokens are generated; giving any is an error. */
  DISABLE = 'DISABLE',
  /** Given tokens are stored; other columns get generated ones. */
  ENABLE = 'ENABLE',
  /** Every tokenized column must come with its token. */
  ENABLE_STRICT = 'ENABLE_STRICT',
}

/** Order of a page of records, by `skyflow_id`. */
export enum OrderByEnum {
  ASCENDING = 'ASCENDING',
  DESCENDING = 'DESCENDING',
  NONE = 'NONE',
}
