import { z } from 'zod';
import type { Services } from '../../server/services.js';
import { principalOf } from '../principal.js';
import { id } from '../schemas.js';
import type { App } from '../types.js';

const rotationStatus = z.object({
  vaultID: z.string(),
  toVersion: z.number().int(),
  status: z.enum(['RUNNING', 'DONE']),
  total: z.number().int(),
  done: z.number().int(),
  startedOn: z.string(),
  finishedOn: z.string().nullable(),
});

/** Strongroom's own key-management routes (no Skyflow equivalent): under /v1/management. */
export function registerKeyRoutes(app: App, services: Services): void {
  app.post(
    '/v1/management/vaults/:vaultID/keys/rotate',
    {
      schema: {
        tags: ['keys'],
        summary: 'Rotate the vault data key: a new version now, every stored value re-sealed online',
        params: z.object({ vaultID: id }),
        response: { 202: rotationStatus },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return services.rotations.start(principalOf(request), request.params.vaultID);
    },
  );

  app.get(
    '/v1/management/vaults/:vaultID/keys/rotation',
    {
      schema: {
        tags: ['keys'],
        summary: 'Progress of the latest data-key rotation',
        params: z.object({ vaultID: id }),
        response: { 200: rotationStatus },
      },
    },
    async (request) => services.rotations.status(principalOf(request), request.params.vaultID),
  );
}
