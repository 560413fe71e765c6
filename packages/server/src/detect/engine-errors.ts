import { FileFormatError, InvalidRegexError } from '@strongroom/detect';
import { badRequest } from '../errors.js';

/**
 * The engine's refusals of a request (a bad allow/restrict pattern, a malformed file, a file beyond the
 * limits) as the 400 they are; anything else is not the caller's fault and is returned unchanged. The
 * engine's messages never quote file content.
 */
export function engineRefusal(err: unknown): Error | undefined {
  if (err instanceof InvalidRegexError || err instanceof FileFormatError) return badRequest(err.message);
  return undefined;
}

/** Runs `work`, turning the engine's refusals into 400s. */
export async function withEngineErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw engineRefusal(err) ?? err;
  }
}
