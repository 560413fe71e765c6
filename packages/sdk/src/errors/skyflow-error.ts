/**
 * What went wrong, as a stable code. `API_ERROR` is an error answer from the vault or the token endpoint;
 * every other code is decided on the client, before or instead of an answer.
 */
export type SkyflowErrorCode =
  /** The server answered with an error (`httpCode` is its HTTP status). */
  | 'API_ERROR'
  /** A request, option or configuration the SDK rejected before sending anything. */
  | 'INVALID_INPUT'
  /** Credentials that are missing, malformed, or of more than one kind. */
  | 'INVALID_CREDENTIALS'
  /** A static bearer token whose `exp` has passed. */
  | 'TOKEN_EXPIRED'
  /** No answer within the timeout of an attempt. */
  | 'TIMEOUT'
  /** The caller's `AbortSignal` fired. */
  | 'ABORTED'
  /** The request could not be sent or its answer not read (DNS, refused connection, reset, CORS). */
  | 'NETWORK_ERROR'
  /** The server answered 2xx with a body the SDK cannot read. */
  | 'INVALID_RESPONSE';

/** The fields of a {@link SkyflowError}, also the shape of its `error` property (skyflow-node v2 compatibility). */
export interface SkyflowErrorFields {
  /** HTTP status of the answer; 400 for input rejected by the SDK; 0 when no answer was received. */
  readonly httpCode: number;
  /** gRPC status code (Skyflow's `grpc_code`); chosen by the SDK for client-side errors. */
  readonly grpcCode: number | undefined;
  /** HTTP reason phrase (Skyflow's `http_status`). */
  readonly httpStatus: string | undefined;
  readonly message: string;
  /** Skyflow's free-form `details` objects (empty when there are none). */
  readonly details: readonly Record<string, unknown>[];
  /** The `x-request-id` of the answer, when there was one. */
  readonly requestId: string | undefined;
}

export interface SkyflowErrorInit extends Partial<Omit<SkyflowErrorFields, 'message'>> {
  readonly code: SkyflowErrorCode;
  readonly message: string;
  readonly cause?: unknown;
}

/** gRPC codes and reason phrases the SDK gives to errors it decides itself. */
const CLIENT_SIDE: Record<Exclude<SkyflowErrorCode, 'API_ERROR'>, { http: number; grpc: number; status: string }> = {
  INVALID_INPUT: { http: 400, grpc: 3, status: 'Bad Request' },
  INVALID_CREDENTIALS: { http: 400, grpc: 16, status: 'Bad Request' },
  TOKEN_EXPIRED: { http: 400, grpc: 16, status: 'Bad Request' },
  TIMEOUT: { http: 0, grpc: 4, status: 'Timeout' },
  ABORTED: { http: 0, grpc: 1, status: 'Aborted' },
  NETWORK_ERROR: { http: 0, grpc: 14, status: 'Network Error' },
  INVALID_RESPONSE: { http: 0, grpc: 13, status: 'Invalid Response' },
};

/**
 * The one error type the SDK throws. Messages never contain record values, tokens or credentials.
 *
 * Partial failures of `insert` and `detokenize` with `continueOnError` are not thrown: they come back in
 * the response's `errors` list.
 */
export class SkyflowError extends Error implements SkyflowErrorFields {
  override readonly name = 'SkyflowError';
  readonly code: SkyflowErrorCode;
  readonly httpCode: number;
  readonly grpcCode: number | undefined;
  readonly httpStatus: string | undefined;
  readonly details: readonly Record<string, unknown>[];
  readonly requestId: string | undefined;

  constructor(init: SkyflowErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    const defaults = init.code === 'API_ERROR' ? undefined : CLIENT_SIDE[init.code];
    this.code = init.code;
    this.httpCode = init.httpCode ?? defaults?.http ?? 0;
    this.grpcCode = init.grpcCode ?? defaults?.grpc;
    this.httpStatus = init.httpStatus ?? defaults?.status;
    this.details = init.details ?? [];
    this.requestId = init.requestId;
  }

  /** The same fields as one object, where skyflow-node v2 code reads them (`err.error.httpCode`). */
  get error(): SkyflowErrorFields {
    return {
      httpCode: this.httpCode,
      grpcCode: this.grpcCode,
      httpStatus: this.httpStatus,
      message: this.message,
      details: this.details,
      requestId: this.requestId,
    };
  }
}

/** A {@link SkyflowError} for input the SDK rejects before sending anything. */
export const invalidInput = (message: string): SkyflowError => new SkyflowError({ code: 'INVALID_INPUT', message });

export const invalidCredentials = (message: string, cause?: unknown): SkyflowError =>
  new SkyflowError({ code: 'INVALID_CREDENTIALS', message, cause });
