/**
 * Token generators for the vault's token policies (`skyflow.options.default_token_policy`): pure
 * functions of a policy, a canonical value and a {@link RandomSource}. Storage, collision handling and
 * column groups belong to the caller.
 *
 * Typical use:
 * ```ts
 * const random = isDeterministic(policy)
 *   ? deterministicRandom(columnTokenKey, deterministicInput(canonicalValue, attempt))
 *   : cryptoRandom();
 * const token = generateToken(policy, canonicalValue, random);
 * ```
 */
export { TokenGenerationError } from './errors.js';
export { generateToken, isDeterministic, RANDOM_TOKEN_LENGTH } from './generate.js';
export { luhnCheckDigit, luhnValid } from './luhn.js';
export {
  cryptoRandom,
  deterministicInput,
  deterministicRandom,
  MIN_DETERMINISTIC_KEY_BYTES,
  type RandomSource,
} from './random.js';
export { checkGeneratableRegex, UnsupportedRegexError } from './regex-generator.js';
export { checkSuppliedToken, MAX_SUPPLIED_TOKEN_LENGTH, type SuppliedTokenCheck } from './supplied.js';
