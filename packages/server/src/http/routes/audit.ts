import { z } from 'zod';
import type { Services } from '../../server/services.js';
import type { AuditEventRow } from '../../store/types.js';
import { principalOf } from '../principal.js';
import { id, opt } from '../schemas.js';
import type { App } from '../types.js';

const ACTION_TYPES = [
  'NONE',
  'ASSIGN',
  'CREATE',
  'DELETE',
  'EXECUTE',
  'LIST',
  'READ',
  'UNASSIGN',
  'UPDATE',
  'VALIDATE',
  'LOGIN',
  'ROTATE',
] as const;

const time = (name: string) =>
  opt(
    z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), `${name} must be an RFC 3339 time`)
      .transform((v) => Date.parse(v)),
  );

const eventOutput = z.object({
  context: z.object({
    changeID: z.string(),
    requestID: z.string(),
    traceID: z.string(),
    sessionID: z.string(),
    actor: z.string(),
    actorType: z.string(),
    accessType: z.string(),
    ipAddress: z.string(),
    origin: z.string(),
    authMode: z.string(),
    jwtID: z.string(),
    bearerTokenContextID: z.string(),
  }),
  request: z.object({
    data: z.object({ content: z.string() }),
    apiName: z.string(),
    workspaceID: z.string(),
    vaultID: z.string(),
    tags: z.array(z.string()),
    timestamp: z.string(),
    actionType: z.string(),
    resourceType: z.string(),
    httpInfo: z.object({ URI: z.string(), method: z.string() }),
  }),
  response: z.object({ code: z.number(), message: z.string(), data: z.string(), timestamp: z.string() }),
  parentAccountID: z.string(),
  accountID: z.string(),
  resourceIDs: z.array(z.string()),
});

/** An entry in the §5.13 `AuditEvent` shape. Request and response bodies are never kept (`data` is empty). */
function eventOut(row: AuditEventRow): z.infer<typeof eventOutput> {
  const timestamp = new Date(row.ts).toISOString();
  return {
    context: {
      changeID: String(row.seq),
      requestID: row.requestId,
      traceID: row.requestId,
      sessionID: '',
      actor: row.actor,
      actorType: row.actorType,
      accessType: 'API',
      ipAddress: row.ipAddress,
      origin: '',
      authMode: row.authMode,
      jwtID: row.jwtId,
      bearerTokenContextID: row.contextId,
    },
    request: {
      data: { content: '' },
      apiName: row.apiName,
      workspaceID: '',
      vaultID: row.vaultId,
      tags: [],
      timestamp,
      actionType: row.actionType,
      resourceType: row.resourceType,
      httpInfo: { URI: row.uri, method: row.httpMethod },
    },
    response: { code: row.statusCode, message: row.message, data: '', timestamp },
    parentAccountID: '',
    accountID: '',
    resourceIDs: [...row.resourceIds],
  };
}

export function registerAuditRoutes(app: App, services: Services): void {
  app.get(
    '/v1/audit/events',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit events (§5.13), oldest first unless sortOps.orderBy=DESCENDING; page on with afterOps.changeID',
        querystring: z.object({
          'filterOps.accountID': opt(z.string().max(100)),
          'filterOps.vaultID': opt(id),
          'filterOps.context.actor': opt(z.string().max(100)),
          'filterOps.context.requestID': opt(z.string().max(100)),
          'filterOps.actionType': opt(z.enum(ACTION_TYPES)),
          'filterOps.startTime': time('filterOps.startTime'),
          'filterOps.endTime': time('filterOps.endTime'),
          'sortOps.sortBy': opt(z.enum(['timestamp', 'changeID'])),
          'sortOps.orderBy': opt(z.enum(['ASCENDING', 'DESCENDING'])),
          'afterOps.changeID': opt(
            z
              .string()
              .regex(/^\d{1,15}$/, 'afterOps.changeID must be a changeID')
              .transform(Number),
          ),
          'afterOps.timestamp': opt(z.string().max(40)),
          offset: opt(
            z
              .string()
              .regex(/^\d{1,9}$/, 'offset must be a whole number')
              .transform(Number),
          ),
          limit: opt(
            z
              .string()
              .regex(/^\d{1,4}$/, 'limit must be a whole number')
              .transform(Number),
          ),
        }),
        response: {
          200: z.object({
            event: z.array(eventOutput),
            nextOps: z.object({ timestamp: z.string(), changeID: z.string() }),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = Math.min(Math.max(q.limit ?? 25, 1), 100);
      const rows = await services.auditReader.events(principalOf(request), {
        vaultId: q['filterOps.vaultID'],
        actor: q['filterOps.context.actor'],
        actionType: q['filterOps.actionType'],
        requestId: q['filterOps.context.requestID'],
        fromTs: q['filterOps.startTime'],
        toTs: q['filterOps.endTime'],
        afterSeq: q['afterOps.changeID'],
        descending: q['sortOps.orderBy'] === 'DESCENDING',
        offset: q.offset ?? 0,
        limit,
      });
      const last = rows.at(-1);
      return {
        event: rows.map(eventOut),
        nextOps: last
          ? { timestamp: new Date(last.ts).toISOString(), changeID: String(last.seq) }
          : { timestamp: '', changeID: '' },
      };
    },
  );
}
