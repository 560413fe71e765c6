import type { Services } from '../../server/services.js';
import type { App } from '../types.js';
import { registerApiKeyRoutes } from './api-keys.js';
import { registerHealthRoutes } from './health.js';
import { registerRecordRoutes } from './records.js';
import { registerRoleRoutes } from './roles.js';
import { registerServiceAccountRoutes } from './service-accounts.js';
import { registerTokenRoutes } from './token.js';
import { registerVaultRoutes } from './vaults.js';

export function registerRoutes(app: App, services: Services): void {
  registerHealthRoutes(app, services);
  registerTokenRoutes(app, services);
  registerVaultRoutes(app, services);
  registerServiceAccountRoutes(app, services);
  registerApiKeyRoutes(app, services);
  registerRoleRoutes(app, services);
  registerRecordRoutes(app, services);
}
