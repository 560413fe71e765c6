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
  if (route === '/v1/files/:grant' || route.startsWith('/v2/vaults/') || route.includes('/files')) {
    return { action: verb, resource: 'FILE' };
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
  const body = request.body as { resource?: { ID?: unknown }; vaultID?: unknown } | undefined;
  if (body && typeof body === 'object') {
    if (typeof body.vaultID === 'string') return body.vaultID;
    if (typeof body.resource?.ID === 'string') return body.resource.ID;
  }
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
  const body = request.body as { skyflow_ids?: unknown; ID?: unknown } | undefined;
  if (body && typeof body === 'object') {
    if (Array.isArray(body.skyflow_ids)) {
      for (const id of body.skyflow_ids.slice(0, RECORD_ID_LIMIT)) if (typeof id === 'string') ids.push(`RECORD/${id}`);
    }
    if (typeof body.ID === 'string' && !ids.includes(`${resource}/${body.ID}`)) ids.push(`${resource}/${body.ID}`);
  }
  return ids.map((id) => id.slice(0, 200));
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

/** The audit entry of a finished request, or undefined for routes that are not audited. */
export function entryFor(request: FastifyRequest, reply: FastifyReply, payload: unknown): AuditEntry | undefined {
  const route = request.route;
  if (!route) return undefined;
  const kind = classify(request.method, route);
  if (!kind) return undefined;
  const principal = request.principal;
  const vaultId = vaultOf(route, request);
  const context = principal?.context;
  return {
    id: randomUUID(),
    ts: Date.now(),
    requestId: request.id,
    actor: principal?.serviceAccountId ?? '',
    actorType: principal ? 'SERVICE_ACCOUNT' : 'NONE',
    authMode: principal?.authMode ?? 'AUTH_NONE',
    jwtId: principal?.credentialId ?? '',
    contextId: context === undefined ? '' : typeof context === 'string' ? context : JSON.stringify(context),
    ipAddress: request.ip ?? '',
    apiName: `${request.method} ${route}`,
    httpMethod: request.method,
    uri: SECRET_PATHS.has(route) ? route : (request.url.split('?')[0] ?? ''),
    actionType: kind.action,
    resourceType: kind.resource,
    vaultId,
    resourceIds: resourceIds(route, kind.resource, vaultId, request),
    statusCode: reply.statusCode,
    message: messageOf(reply.statusCode, payload),
  };
}
