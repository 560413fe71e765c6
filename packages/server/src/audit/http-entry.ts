import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry } from './audit-chain.js';

/** Routes that neither read data nor change anything, or that are the audit of something else. */
const NOT_AUDITED = new Set([
  '/healthz',
  '/readyz',
  '/.well-known/jwks.json',
  '/openapi.json',
  '/v1/auth/ping',
  '/v1/auth/whoami',
]);

/** Routes whose path carries a secret (a signed file grant): logged by their pattern only. */
const SECRET_PATHS = new Set(['/v1/files/:grant']);

const MANAGEMENT_RESOURCES: readonly [string, string][] = [
  ['/v1/vaults', 'VAULT'],
  ['/v1/serviceAccounts', 'SERVICE_ACCOUNT'],
  ['/v1/users', 'USER'],
  ['/v1/roles', 'ROLE'],
  ['/v1/members', 'ROLE'],
  ['/v1/policies', 'POLICY'],
  ['/v1/management/vaults', 'ENCRYPTION_KEY'],
  ['/v1/audit', 'AUDIT'],
  ['/v1/auth', 'SERVICE_ACCOUNT'],
];

const METHOD_ACTIONS: Record<string, string> = {
  GET: 'READ',
  POST: 'CREATE',
  PUT: 'UPDATE',
  PATCH: 'UPDATE',
  DELETE: 'DELETE',
};

/** What a route does, in the audit log's vocabulary (§5.13 actionType and resource type). */
export function classify(method: string, route: string): { action: string; resource: string } | undefined {
  if (NOT_AUDITED.has(route)) return undefined;
  const verb = METHOD_ACTIONS[method] ?? 'NONE';
  if (route === '/v1/auth/sa/oauth/token') return { action: 'LOGIN', resource: 'SERVICE_ACCOUNT' };
  if (route === '/v1/auth/login') return { action: 'LOGIN', resource: 'USER' };
  if (route === '/v1/auth/logout') return { action: 'DELETE', resource: 'TOKEN' };
  if (route === '/v1/files/:grant' || route.startsWith('/v2/vaults/') || route.includes('/files')) {
    return { action: verb, resource: 'FILE' };
  }
  // Detect: de-identifying may store values as tokens; re-identifying and reading runs reveal values.
  if (route.startsWith('/v1/detect/')) {
    return { action: route.startsWith('/v1/detect/deidentify/') ? 'EXECUTE' : 'READ', resource: 'DETECT' };
  }
  if (route === '/v1/vaults/:vaultID/detokenize') return { action: 'READ', resource: 'TOKEN' };
  if (route === '/v1/vaults/:vaultID/tokenize') return { action: 'CREATE', resource: 'TOKEN' };
  if (route === '/v1/vaults/:vaultID/query') return { action: 'READ', resource: 'RECORD' };
  if (route === '/v1/vaults/:vaultID' && method === 'POST') return { action: 'EXECUTE', resource: 'RECORD' };
  if (route.startsWith('/v1/vaults/:vaultID/')) return { action: verb, resource: 'RECORD' };
  if (route.endsWith('/assign'))
    return { action: 'ASSIGN', resource: route.startsWith('/v1/policies') ? 'POLICY' : 'ROLE' };
  if (route.endsWith('/unassign')) {
    return { action: 'UNASSIGN', resource: route.startsWith('/v1/policies') ? 'POLICY' : 'ROLE' };
  }
  if (route.endsWith('/rotate'))
    return { action: 'ROTATE', resource: route.includes('apikey') ? 'API_KEY' : 'ENCRYPTION_KEY' };
  if (route.includes('/apikey')) return { action: verb, resource: 'API_KEY' };
  if (route === '/v1/policies/explain') return { action: 'VALIDATE', resource: 'POLICY' };
  const found = MANAGEMENT_RESOURCES.find(([prefix]) => route === prefix || route.startsWith(`${prefix}/`));
  return { action: verb, resource: found?.[1] ?? 'NONE' };
}

const RECORD_ID_LIMIT = 25;

function vaultOf(route: string, request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, unknown>;
  if (typeof params.vaultID === 'string') return params.vaultID;
  if (route.startsWith('/v1/vaults/:ID') && typeof params.ID === 'string') return params.ID;
  const body = request.body as { resource?: { ID?: unknown }; vaultID?: unknown; vault_id?: unknown } | undefined;
  if (body && typeof body === 'object') {
    if (typeof body.vaultID === 'string') return body.vaultID;
    // Detect names its vault in snake_case, in the body or (run status) the query.
    if (typeof body.vault_id === 'string') return body.vault_id;
    if (typeof body.resource?.ID === 'string') return body.resource.ID;
  }
  const query = request.query as { vault_id?: unknown } | undefined;
  if (route.startsWith('/v1/detect/') && typeof query?.vault_id === 'string') return query.vault_id;
  return '';
}

/**
 * The IDs a request touched: the vault, records named in the path or the body, and the management object
 * of the path. Never tokens or values: IDs only.
 */
function resourceIds(route: string, resource: string, vaultId: string, request: FastifyRequest): string[] {
  const ids: string[] = [];
  if (vaultId) ids.push(`VAULT/${vaultId}`);
  const params = (request.params ?? {}) as Record<string, unknown>;
  if (typeof params.ID === 'string' && !route.startsWith('/v1/vaults/:ID')) ids.push(`${resource}/${params.ID}`);
  if (typeof params.keyID === 'string') ids.push(`KEY/${params.keyID}`);
  if (typeof params.run_id === 'string') ids.push(`DETECT_RUN/${params.run_id}`);
  const body = request.body as { skyflow_ids?: unknown; ID?: unknown } | undefined;
  if (body && typeof body === 'object') {
    if (Array.isArray(body.skyflow_ids)) {
      for (const id of body.skyflow_ids.slice(0, RECORD_ID_LIMIT)) if (typeof id === 'string') ids.push(`RECORD/${id}`);
    }
    if (typeof body.ID === 'string' && !ids.includes(`${resource}/${body.ID}`)) ids.push(`${resource}/${body.ID}`);
  }
  return ids.map((id) => storable(id.slice(0, 200)));
}

/**
 * Text a request or a credential chose, as the log can store it: PostgreSQL text cannot hold NUL, so it
 * becomes U+FFFD. Left as it was, one such entry would fail the write of every entry in its batch, and
 * so the requests of other callers.
 */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** The error message of an error response (our messages never carry values), or ''. */
function messageOf(statusCode: number, payload: unknown): string {
  if (statusCode < 400 || typeof payload !== 'string') return '';
  try {
    const message = (JSON.parse(payload) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message.slice(0, 500) : '';
  } catch {
    return '';
  }
}

/** {@link classify} of each route and method seen (`METHOD /pattern`; routes are a fixed set), null when not audited. */
const classified = new Map<string, { action: string; resource: string } | null>();

/**
 * A UUIDv7: the time in milliseconds first, then random bits. Entries' IDs then follow the order in
 * which they are written, so each lands at the end of the unique index on `id` instead of on a random
 * page of it.
 */
function timeOrderedId(now: number): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  // randomUUID() is `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`: keep its random bits after the version digit.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}

/** The audit entry of a finished request, or undefined for routes that are not audited. */
export function entryFor(request: FastifyRequest, reply: FastifyReply, payload: unknown): AuditEntry | undefined {
  const route = request.route;
  if (!route) return undefined;
  const apiName = `${request.method} ${route}`;
  let kind = classified.get(apiName);
  if (kind === undefined) {
    kind = classify(request.method, route) ?? null;
    classified.set(apiName, kind);
  }
  if (!kind) return undefined;
  const principal = request.principal;
  const vaultId = vaultOf(route, request);
  const context = principal?.context;
  const now = Date.now();
  const url = request.url;
  const query = url.indexOf('?');
  return {
    id: timeOrderedId(now),
    ts: now,
    requestId: request.id,
    actor: principal?.serviceAccountId ?? '',
    actorType: principal?.type ?? 'NONE',
    authMode: principal?.authMode ?? 'AUTH_NONE',
    jwtId: storable(principal?.credentialId ?? ''),
    contextId: context === undefined ? '' : storable(typeof context === 'string' ? context : JSON.stringify(context)),
    ipAddress: request.ip ?? '',
    apiName,
    httpMethod: request.method,
    uri: SECRET_PATHS.has(route) ? route : query === -1 ? url : url.slice(0, query),
    actionType: kind.action,
    resourceType: kind.resource,
    vaultId: storable(vaultId),
    resourceIds: resourceIds(route, kind.resource, vaultId, request),
    statusCode: reply.statusCode,
    message: storable(messageOf(reply.statusCode, payload)),
  };
}
