import { z } from 'zod';
import type { Services } from '../../server/services.js';
import type { RoleRow } from '../../store/types.js';
import { principalOf } from '../principal.js';
import { emptyObject, id, idResponse, nameText, opt, text } from '../schemas.js';
import type { App } from '../types.js';

const roleOutput = z.object({
  ID: z.string(),
  definition: z.object({
    name: z.string(),
    displayName: z.string(),
    description: z.string(),
    permissions: z.array(z.string()),
  }),
  type: z.string(),
  resource: z.object({ ID: z.string(), type: z.string() }),
});

function roleOut(role: RoleRow): z.infer<typeof roleOutput> {
  return {
    ID: role.id,
    definition: {
      name: role.name,
      displayName: role.displayName,
      description: role.description,
      permissions: [...role.permissions],
    },
    type: role.type,
    resource: { ID: role.resourceId, type: role.resourceType },
  };
}

const roleDefinition = z.object({
  name: nameText('roleDefinition.name'),
  displayName: opt(text(100, 'roleDefinition.displayName')),
  description: opt(text(1000, 'roleDefinition.description')),
  permissions: z.array(z.string().max(100)).max(50).default([]),
  levels: opt(z.array(z.string()).max(10)),
});

const membersBody = z.object({
  ID: id,
  members: z
    .array(z.object({ ID: id, type: z.enum(['SERVICE_ACCOUNT', 'USER']) }))
    .min(1, 'members must list at least one member')
    .max(100),
});

export function registerRoleRoutes(app: App, services: Services): void {
  app.get(
    '/v1/roles',
    {
      schema: {
        tags: ['roles'],
        summary: 'List roles of a resource (an account or a vault)',
        querystring: z.object({
          'resource.ID': z.string().optional(),
          'resource.type': z.enum(['ACCOUNT', 'VAULT']).optional(),
          name: z.string().optional(),
          type: z.enum(['SYSTEM', 'CUSTOM']).optional(),
        }),
        response: { 200: z.object({ roles: z.array(roleOutput) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const roles = await services.roles.list(principalOf(request), {
        ...(q['resource.type'] && { resourceType: q['resource.type'] }),
        ...(q['resource.ID'] && { resourceId: q['resource.ID'] }),
        ...(q.name && { name: q.name }),
        ...(q.type && { type: q.type }),
      });
      return { roles: roles.map(roleOut) };
    },
  );

  app.post(
    '/v1/roles',
    {
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role on a vault (its data access comes from the policies assigned to it)',
        body: z.object({
          roleDefinition: roleDefinition,
          resource: z.object({ ID: id, type: z.literal('VAULT') }),
        }),
        response: { 200: idResponse },
      },
    },
    async (request) => {
      const { roleDefinition: def, resource } = request.body;
      return { ID: (await services.roles.createCustom(principalOf(request), resource.ID, def)).id };
    },
  );

  app.patch(
    '/v1/roles/:ID',
    {
      schema: {
        tags: ['roles'],
        summary: 'Change a custom role',
        params: z.object({ ID: id }),
        body: z.object({ ID: opt(id), roleDefinition: roleDefinition }),
        response: { 200: idResponse },
      },
    },
    async (request) => {
      await services.roles.updateCustom(principalOf(request), request.params.ID, request.body.roleDefinition);
      return { ID: request.params.ID };
    },
  );

  app.delete(
    '/v1/roles/:ID',
    {
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role (its members lose it at once)',
        params: z.object({ ID: id }),
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await services.roles.deleteCustom(principalOf(request), request.params.ID);
      return {};
    },
  );

  app.get(
    '/v1/roles/:ID',
    {
      schema: {
        tags: ['roles'],
        summary: 'Get a role',
        params: z.object({ ID: id }),
        response: { 200: z.object({ role: roleOutput }) },
      },
    },
    async (request) => ({ role: roleOut(await services.roles.get(principalOf(request), request.params.ID)) }),
  );

  app.get(
    '/v1/roles/:ID/members',
    {
      schema: {
        tags: ['roles'],
        summary: 'List the members of a role',
        params: z.object({ ID: id }),
        response: { 200: z.object({ members: z.array(z.object({ ID: z.string(), type: z.string() })) }) },
      },
    },
    async (request) => ({
      members: (await services.roles.members(principalOf(request), request.params.ID)).map((m) => ({
        ID: m.memberId,
        type: m.memberType,
      })),
    }),
  );

  app.post(
    '/v1/roles/assign',
    {
      schema: {
        tags: ['roles'],
        summary: 'Assign a role to members',
        body: membersBody,
        response: { 200: idResponse },
      },
    },
    async (request) => {
      await services.roles.assign(principalOf(request), request.body.ID, request.body.members);
      return { ID: request.body.ID };
    },
  );

  app.post(
    '/v1/roles/unassign',
    {
      schema: {
        tags: ['roles'],
        summary: 'Remove a role from members',
        body: membersBody,
        response: { 200: idResponse },
      },
    },
    async (request) => {
      await services.roles.unassign(principalOf(request), request.body.ID, request.body.members);
      return { ID: request.body.ID };
    },
  );

  app.get(
    '/v1/members/:ID/roles',
    {
      schema: {
        tags: ['roles'],
        summary: 'List the roles of a member',
        params: z.object({ ID: id }),
        querystring: z.object({ 'member.type': z.string().optional() }),
        response: {
          200: z.object({
            roleToResource: z.array(
              z.object({ role: roleOutput, resource: z.object({ ID: z.string(), type: z.string() }) }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      roleToResource: (await services.roles.rolesOfMember(principalOf(request), request.params.ID)).map((role) => ({
        role: roleOut(role),
        resource: { ID: role.resourceId, type: role.resourceType },
      })),
    }),
  );
}
