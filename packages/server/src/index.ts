/** Programmatic entry points of the Strongroom server. */
export { type Config, ConfigError, type ConfigInput, loadConfig } from './config.js';
export { AppError, type ErrorBody, errorBody } from './errors.js';
export { buildApp } from './http/app.js';
export { type RunningServer, startServer } from './server/start.js';
export { openStore } from './store/open-store.js';
export type { Store } from './store/types.js';
