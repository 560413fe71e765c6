/**
 * The one error type of the server. Every failure that reaches a client is an {@link AppError};
 * the HTTP layer renders it in Skyflow's error shape (`{"error": {http_code, http_status, grpc_code,
 * message, details}}`). Messages must never contain sensitive values or secrets.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'REQUEST_TIMEOUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'URI_TOO_LONG'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'HEADERS_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL'
  | 'UNAVAILABLE';

interface ErrorKind {
  readonly httpCode: number;
  readonly httpStatus: string;
  /** gRPC status code, which Skyflow clients read from `grpc_code`. */
  readonly grpcCode: number;
}

export const ERROR_KINDS: Readonly<Record<ErrorCode, ErrorKind>> = {
  BAD_REQUEST: { httpCode: 400, httpStatus: 'Bad Request', grpcCode: 3 },
  UNAUTHORIZED: { httpCode: 401, httpStatus: 'Unauthorized', grpcCode: 16 },
  FORBIDDEN: { httpCode: 403, httpStatus: 'Forbidden', grpcCode: 7 },
  NOT_FOUND: { httpCode: 404, httpStatus: 'Not Found', grpcCode: 5 },
  METHOD_NOT_ALLOWED: { httpCode: 405, httpStatus: 'Method Not Allowed', grpcCode: 12 },
  CONFLICT: { httpCode: 409, httpStatus: 'Conflict', grpcCode: 6 },
  REQUEST_TIMEOUT: { httpCode: 408, httpStatus: 'Request Timeout', grpcCode: 4 },
  PAYLOAD_TOO_LARGE: { httpCode: 413, httpStatus: 'Payload Too Large', grpcCode: 8 },
  URI_TOO_LONG: { httpCode: 414, httpStatus: 'URI Too Long', grpcCode: 3 },
  UNSUPPORTED_MEDIA_TYPE: { httpCode: 415, httpStatus: 'Unsupported Media Type', grpcCode: 3 },
  HEADERS_TOO_LARGE: { httpCode: 431, httpStatus: 'Request Header Fields Too Large', grpcCode: 8 },
  TOO_MANY_REQUESTS: { httpCode: 429, httpStatus: 'Too Many Requests', grpcCode: 8 },
  INTERNAL: { httpCode: 500, httpStatus: 'Internal Server Error', grpcCode: 13 },
  UNAVAILABLE: { httpCode: 503, httpStatus: 'Service Unavailable', grpcCode: 14 },
};

/** A free-form detail object (Skyflow allows up to 25 per error). */
export type ErrorDetail = Record<string, unknown>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get httpCode(): number {
    return ERROR_KINDS[this.code].httpCode;
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) => new AppError('BAD_REQUEST', message, details);
export const unauthorized = (
  message = 'The request is unauthorized. Make sure you have a valid access token.',
  details?: ErrorDetail[],
) => new AppError('UNAUTHORIZED', message, details);
export const forbidden = (message: string, details?: ErrorDetail[]) => new AppError('FORBIDDEN', message, details);
export const notFound = (message = "The requested resource wasn't found.", details?: ErrorDetail[]) =>
  new AppError('NOT_FOUND', message, details);
export const conflict = (message: string, details?: ErrorDetail[]) => new AppError('CONFLICT', message, details);

/** Rendered body of an error, exactly the §3 wire shape. */
export interface ErrorBody {
  error: {
    grpc_code: number;
    http_code: number;
    http_status: string;
    message: string;
    details: ErrorDetail[];
  };
}

export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []): ErrorBody {
  const kind = ERROR_KINDS[code];
  return {
    error: {
      grpc_code: kind.grpcCode,
      http_code: kind.httpCode,
      http_status: kind.httpStatus,
      message: message.slice(0, 1000),
      details: details.slice(0, 25),
    },
  };
}
