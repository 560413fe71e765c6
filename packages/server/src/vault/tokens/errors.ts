/**
 * Thrown when a token cannot be generated for a value under a policy: a format-preserving token for a
 * value with nothing to randomise, or a `format_preserving_regex` for which no matching token could be
 * produced. The message never contains the value; callers map it to a 400 for the record.
 */
export class TokenGenerationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenGenerationError';
  }
}
