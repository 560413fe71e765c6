import { describe, expect, it } from 'vitest';
import { errorFromResponse } from './error-response.js';

const headers = (contentType: string) => new Headers({ 'content-type': contentType, 'x-request-id': 'rid' });

describe('errorFromResponse', () => {
  it('reads Skyflow’s error shape', () => {
    const body = JSON.stringify({
      error: {
        grpc_code: 5,
        http_code: 404,
        http_status: 'Not Found',
        message: 'No such table.',
        details: [{ a: 1 }, 'x'],
      },
    });
    expect(errorFromResponse(404, 'Not Found', headers('application/json; charset=utf-8'), body)).toMatchObject({
      code: 'API_ERROR',
      httpCode: 404,
      grpcCode: 5,
      httpStatus: 'Not Found',
      message: 'No such table.',
      details: [{ a: 1 }],
      requestId: 'rid',
    });
  });

  it('uses a plain-text body as the message, and a generic one for anything else', () => {
    expect(errorFromResponse(502, 'Bad Gateway', headers('text/plain'), 'upstream down').message).toBe('upstream down');
    expect(errorFromResponse(502, 'Bad Gateway', headers('text/html'), '<html>').message).toBe(
      'The server answered 502 Bad Gateway.',
    );
    expect(errorFromResponse(500, '', headers('application/json'), 'not json').message).toBe(
      'The server answered 500.',
    );
    expect(
      errorFromResponse(
        400,
        'Bad Request',
        headers('application/json'),
        '{"error":"invalid_grant","error_description":"expired"}',
      ).message,
    ).toBe('invalid_grant: expired');
  });
});
