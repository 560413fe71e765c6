import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import FindMyWay from 'find-my-way';
import { AppError, ERROR_KINDS, type ErrorCode, type ErrorDetail, errorBody } from '../errors.js';
import type { App } from './types.js';

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply
    .code(error.httpCode)
    .type('application/json; charset=utf-8')
    .send(errorBody(error.code, error.message, error.details));
}

function validationError(err: FastifyError): AppError {
  const issues = (err.validation ?? []) as unknown as { instancePath?: string; message?: string }[];
  const where = err.validationContext ?? 'request';
  const details: ErrorDetail[] = issues.slice(0, 25).map((issue) => ({
    field: `${where}${(issue.instancePath ?? '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.')}`,
    problem: issue.message ?? 'invalid',
  }));
  const first = details[0];
  const message = first ? `Invalid request: ${first.field}: ${first.problem}` : 'Invalid request.';
  return new AppError('BAD_REQUEST', message, details);
}

/** Maps every error to the one error shape; unexpected errors become a 500 that reveals nothing. */
export function toAppError(err: FastifyError | Error, requestId: string): { error: AppError; unexpected: boolean } {
  if (err instanceof AppError) return { error: err, unexpected: false };
  const fe = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe) || fe.validation)
    return { error: validationError(fe), unexpected: false };
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        error: new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts.'),
        unexpected: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type; send application/json.'),
        unexpected: false,
      };
    case 'FST_REQ_FILE_TOO_LARGE':
      return {
        error: new AppError('PAYLOAD_TOO_LARGE', 'The file is larger than this server accepts.'),
        unexpected: false,
      };
    case 'FST_FILES_LIMIT':
      return { error: new AppError('BAD_REQUEST', 'Send one file per request.'), unexpected: false };
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return { error: new AppError('BAD_REQUEST', 'The multipart form has too many parts.'), unexpected: false };
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return {
        error: new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data.'),
        unexpected: false,
      };
    case 'FST_ERR_BAD_URL':
      return { error: new AppError('BAD_REQUEST', 'The request URL is not valid.'), unexpected: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { error: new AppError('BAD_REQUEST', 'The request body is not valid JSON.'), unexpected: false };
  }
  const status = fe.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      error: new AppError(STATUS_CODES[status] ?? 'BAD_REQUEST', 'The request was invalid or cannot be served.'),
      unexpected: false,
    };
  }
  return {
    error: new AppError(
      'INTERNAL',
      `Strongroom experienced an internal error. Contact your administrator with request ID ${requestId} for more information.`,
    ),
    unexpected: true,
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Error handler, 404 and 405: every failure leaves in the §3 error shape. */
export function registerErrorHandling(app: App): void {
  // A second router that only knows which paths exist, to tell "wrong method" (405) from "no such path" (404).
  const paths = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if ((METHODS as readonly string[]).includes(method))
        paths.on(method as (typeof METHODS)[number], route.url, () => {});
    }
  });

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { error, unexpected } = toAppError(err, request.id);
    if (unexpected)
      request.log.error({ err: { type: err.name, message: err.message, stack: err.stack } }, 'unexpected error');
    return sendError(reply, error);
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((method) => paths.find(method, path) !== null);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        reply,
        new AppError('METHOD_NOT_ALLOWED', `Method ${request.method} is not allowed here; use ${allowed.join(', ')}.`),
      );
    }
    return sendError(reply, new AppError('NOT_FOUND', "The requested resource wasn't found."));
  });
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (oversized headers, timeouts, garbage):
 * answered in the same error shape, with a request ID, then the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let error: AppError;
  if (err.code === 'HPE_HEADER_OVERFLOW')
    error = new AppError('HEADERS_TOO_LARGE', 'The request headers are too large.');
  else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    error = new AppError('REQUEST_TIMEOUT', 'The request took too long.');
  else error = new AppError('BAD_REQUEST', 'The request is not valid HTTP.');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(error.code, error.message));
    const kind = ERROR_KINDS[error.code];
    socket.write(
      `HTTP/1.1 ${kind.httpCode} ${kind.httpStatus}\r\nContent-Type: application/json\r\nx-request-id: ${randomUUID()}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
