import { SkyflowError } from '../errors/skyflow-error.js';

/** Most characters of a non-JSON error body kept as the message (proxies can answer whole HTML pages). */
const MAX_TEXT_MESSAGE = 500;

/**
 * Turns an error answer into a {@link SkyflowError}, reading Skyflow's shape
 * `{"error": {http_code, http_status, grpc_code, message, details}}` when the body is JSON, the body itself
 * when it is plain text, and a generic message otherwise (what Skyflow's SDKs do, §3.2).
 */
export function errorFromResponse(status: number, statusText: string, headers: Headers, text: string): SkyflowError {
  const requestId = headers.get('x-request-id') ?? undefined;
  const contentType = headers.get('content-type') ?? '';
  const generic = `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`;
  if (contentType.includes('application/json')) {
    const body = parseJson(text);
    const error = isObject(body) && isObject(body.error) ? body.error : undefined;
    if (error) {
      return new SkyflowError({
        code: 'API_ERROR',
        httpCode: status,
        grpcCode: typeof error.grpc_code === 'number' ? error.grpc_code : undefined,
        httpStatus: typeof error.http_status === 'string' ? error.http_status : statusText || undefined,
        message: typeof error.message === 'string' && error.message ? error.message : generic,
        details: Array.isArray(error.details) ? error.details.filter(isObject) : [],
        requestId,
      });
    }
    // Some token endpoints answer `{"error": "invalid_grant", "error_description": "…"}` (OAuth style).
    if (isObject(body) && typeof body.error === 'string') {
      const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
      return apiError(status, statusText, `${body.error}${description}`, requestId);
    }
  } else if (contentType.includes('text/plain') && text.trim()) {
    return apiError(status, statusText, text.trim().slice(0, MAX_TEXT_MESSAGE), requestId);
  }
  return apiError(status, statusText, generic, requestId);
}

function apiError(status: number, statusText: string, message: string, requestId: string | undefined): SkyflowError {
  return new SkyflowError({
    code: 'API_ERROR',
    httpCode: status,
    httpStatus: statusText || undefined,
    message,
    requestId,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
