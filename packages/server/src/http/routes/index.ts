import type { Services } from '../../server/services.js';
import type { App } from '../types.js';
import { registerApiKeyRoutes } from './api-keys.js';
import { registerAuditRoutes } from './audit.js';
import { registerAuthRoutes } from './auth.js';
import { registerDetectRoutes } from './detect.js';
import { registerFileRoutes } from './files.js';
import { registerHealthRoutes } from './health.js';
import { registerKeyRoutes } from './keys.js';
import { registerPolicyRoutes } from './policies.js';
import { registerRecordRoutes } from './records.js';
import { registerRegisteredKeyRoutes } from './registered-keys.js';
import { registerRoleRoutes } from './roles.js';
import { registerServiceAccountRoutes } from './service-accounts.js';
import { registerUserRoutes } from './users.js';
import { registerVaultRoutes } from './vaults.js';

export function registerRoutes(app: App, services: Services): void {
  registerHealthRoutes(app, services);
  registerAuthRoutes(app, services);
  registerVaultRoutes(app, services);
  registerServiceAccountRoutes(app, services);
  registerUserRoutes(app, services);
  registerApiKeyRoutes(app, services);
  registerRegisteredKeyRoutes(app, services);
  registerRoleRoutes(app, services);
  registerPolicyRoutes(app, services);
  registerAuditRoutes(app, services);
  registerRecordRoutes(app, services);
  registerFileRoutes(app, services);
  registerKeyRoutes(app, services);
  registerDetectRoutes(app, services);
}
