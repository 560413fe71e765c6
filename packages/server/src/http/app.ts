import { randomUUID } from 'node:crypto';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyServerOptions,
  LogController,
  type onRequestHookHandler,
  type onSendHookHandler,
} from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { entryFor } from '../audit/http-entry.js';
import { badRequest, errorBody } from '../errors.js';
import { checkAddress, checkPrincipal, limitKind } from '../limits/http-limits.js';
import type { Services } from '../server/services.js';
import { clientErrorHandler, registerErrorHandling, sendError, toAppError } from './error-handler.js';
import { registerRoutes } from './routes/index.js';
import { errorResponse } from './schemas.js';
import type { App } from './types.js';

export interface BuildAppOptions {
  /** Extra Fastify server options (e.g. `https`). */
  readonly server?: Partial<FastifyServerOptions> & { https?: unknown };
}

/**
 * Builds the HTTP application over wired services. Routes stay thin: validate, call a service, shape
 * the response. Tests boot this same app on real stores.
 */
export async function buildApp(services: Services, options: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: services.logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: () => randomUUID(),
    bodyLimit: services.config.maxBodyBytes,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 512 },
    clientErrorHandler,
    // Errors Fastify raises before routing (a URL that does not decode, an over-long parameter) also
    // leave in the one error shape, with a request ID.
    frameworkErrors: (error, request, reply) => {
      const { error: mapped } = toAppError(error, request.id);
      reply.header('x-request-id', request.id);
      sendError(reply, mapped);
    },
    ...options.server,
  } as FastifyServerOptions).withTypeProvider() as unknown as App;

  // Declared up front so every request object keeps one shape (adding a property later deoptimises).
  app.decorateRequest('principal', undefined);
  app.decorateRequest('route', undefined);
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API (OpenAPI) and the integration tests check the shapes; at run time
  // responses are plain JSON.stringify: validating every response through zod cost more than the
  // authentication of the request (see bench/auth).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerBodyParsers(app);
  await app.register(fastifyMultipart, {
    limits: { fileSize: services.config.maxFileBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
    throwFileSizeLimit: true,
  });
  registerErrorHandling(app);

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  // Our own request log: method, route pattern and outcome only. URLs can carry values
  // (get-by-column queries), so they are never logged. The process's log level is fixed at start: at
  // `warn` and above no request line is ever written, and the hook is not installed at all.
  if (services.logger.isLevelEnabled('info')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          route: request.route ?? '(unmatched)',
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          principal: request.principal?.serviceAccountId,
        },
        'request',
      );
      done();
    });
  }
  // The audit log, fail-closed: a request's answer leaves only once its audit entry is committed; if the
  // entry cannot be written, the caller gets a 500 and none of the data. Only authenticated requests are
  // recorded (and successful file downloads by signed URL), so nobody can fill the log anonymously.
  // Callback style on purpose: this runs for every audited request, and the group commit answers many
  // requests at once (bench/data-api).
  const audit = services.audit;
  const auditHook: onSendHookHandler = (request, reply, payload, done) => {
    if (!audit || (!request.principal && (request.route !== '/v1/files/:grant' || reply.statusCode >= 400))) {
      done(null, payload);
      return;
    }
    const entry = entryFor(request, reply, payload);
    if (!entry) {
      done(null, payload);
      return;
    }
    audit.append(entry, (err) => {
      if (!err) {
        done(null, payload);
        return;
      }
      reply.code(500);
      reply.removeHeader('content-length');
      reply.removeHeader('content-disposition');
      reply.header('content-type', 'application/json; charset=utf-8');
      done(
        null,
        JSON.stringify(
          errorBody(
            'INTERNAL',
            `The request could not be recorded in the audit log, so its result is withheld (request ${request.id}).`,
          ),
        ),
      );
    });
  };
  // Per-route hooks, decided once when each route is registered rather than on every request: public
  // routes (`config.auth === false`) get no authentication hook at all. Callback style on purpose: a
  // cached principal is found synchronously, so the common request pays for no promise (bench/auth).
  const { rateLimiter, config } = services;
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const authenticated = route.config?.auth !== false;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const limited = limitKind(methods[0] ?? 'GET', url);
    const limitPrincipal = limited === 'data';
    // One hook per route: the URL guard, the per-address rate limit, then (unless public) authentication
    // and the per-principal rate limit.
    const onRequest: onRequestHookHandler = (request, reply, done) => {
      request.route = url;
      // PostgreSQL cannot hold NUL in text, and no path or query parameter of this API needs it.
      if (request.url.includes('%00') || request.url.includes('\u0000')) {
        done(badRequest('The request URL must not contain NUL characters.'));
        return;
      }
      if (limited) {
        const refused = checkAddress(rateLimiter, config, limited, request.ip, reply);
        if (refused) {
          done(refused);
          return;
        }
      }
      if (!authenticated) {
        done();
        return;
      }
      const authorization = request.headers.authorization;
      const cached = services.authenticator.cached(authorization);
      if (cached) {
        request.principal = cached;
        done(limitPrincipal ? checkPrincipal(rateLimiter, config, cached.serviceAccountId, reply) : undefined);
        return;
      }
      services.authenticator.authenticate(authorization).then((principal) => {
        request.principal = principal;
        done(limitPrincipal ? checkPrincipal(rateLimiter, config, principal.serviceAccountId, reply) : undefined);
      }, done);
    };
    // Every documented route can answer with the one error shape; say so in the OpenAPI document.
    if (route.schema && !route.schema.hide) {
      const response = (route.schema.response ?? {}) as Record<string, unknown>;
      route.schema = { ...route.schema, response: { ...response, '4XX': errorResponse, '5XX': errorResponse } };
    }
    const existing =
      route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [onRequest, ...existing];
    if (audit) {
      const sends = route.onSend === undefined ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend];
      route.onSend = [...sends, auditHook];
    }
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Strongroom',
        description:
          "Self-hostable data privacy vault. Data API wire-compatible with Skyflow; management API after Skyflow's.",
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A bearer token from POST /v1/auth/sa/oauth/token, or an API key (sky-xxxxx-…).',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  registerRoutes(app, services);
  app.get('/openapi.json', { config: { auth: false }, schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}

function registerBodyParsers(app: App): void {
  // Skyflow clients send `Content-Type: application/json` with empty bodies on GET and DELETE: an
  // empty JSON body means "no body", anything else must be valid JSON (prototype poisoning rejected).
  // Only JSON (and forms, for OAuth clients) are accepted; any other Content-Type is a 415.
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body !== 'string' || isBlank(body)) {
      done(null, undefined);
      return;
    }
    parseJson(request, body, (err, value) => {
      if (err) done(badRequest('The request body is not valid JSON.'), undefined);
      else done(null, value);
    });
  });
  // OAuth clients may post the token request as a form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

const NOT_BLANK = /\S/;

/** Whether a body is empty or only whitespace (as `trim()` sees it), without copying it for every request. */
function isBlank(body: string): boolean {
  if (body.length === 0) return true;
  const first = body.charCodeAt(0);
  // A printable ASCII character (the `{` of every JSON body) is not whitespace: no need to scan.
  if (first > 0x20 && first < 0x7f) return false;
  return !NOT_BLANK.test(body);
}
