import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { Keyring } from '../crypto/keyring.js';
import { type LoadedRootKey, loadRootKey } from '../crypto/root-key.js';
import { buildApp } from '../http/app.js';
import type { App } from '../http/types.js';
import { createLogger, type Logger } from '../logger.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { type BootstrapResult, bootstrap } from './bootstrap.js';
import { createServices, type Services } from './services.js';
import { loadTls, type TlsMaterial } from './tls.js';

export interface RunningServer {
  readonly app: App;
  readonly services: Services;
  /** Base URL the server is reachable at (public URL if configured). */
  readonly url: string;
  readonly rootKey: LoadedRootKey;
  readonly bootstrap: BootstrapResult;
  readonly tls: TlsMaterial | undefined;
  close(): Promise<void>;
}

/**
 * Starts a vault server: root key, store (migrated), services, HTTP(S) listener, and on an empty store
 * the first-start bootstrap. Used by `strongroom serve` and by the integration tests alike.
 */
export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Certificate problems are configuration problems: find them before touching the store.
  const tls = await loadTls(config, [config.host, ...(config.publicUrl ? [new URL(config.publicUrl).hostname] : [])]);
  const rootKey = loadRootKey(config.rootKey);
  if (rootKey.source.kind === 'dev-file') {
    logger.warn(
      { file: rootKey.source.file, created: rootKey.created },
      'using a development root key file from the data directory; production must supply the root key through configuration',
    );
  }
  let store: Store | undefined;
  let app: App | undefined;
  let started: Services | undefined;
  try {
    store = openStore(config.databaseUrl, {
      synchronous: config.sqliteSynchronous,
      ...(config.sqliteMmapMiB !== undefined && { mmapMiB: config.sqliteMmapMiB }),
      backgroundCheckpoints: true,
    });
    await store.migrate();
    const keyring = new Keyring(rootKey.key);
    await keyring.checkRootKey(store);
    const services = await createServices({ config, logger, store, keyring });
    started = services;
    app = await buildApp(services, { server: tls ? { https: { cert: tls.cert, key: tls.key } } : {} });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address() as AddressInfo;
    const host = ['0.0.0.0', '::', 'localhost'].includes(config.host) ? 'localhost' : config.host;
    const listening = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    services.urls.setListening(listening);
    const bootstrapped = await bootstrap(services, { demo: config.demo });
    services.sweeper.start();
    services.detectWorker.start();
    await services.epoch.follow(store, logger);
    services.rateLimiter.start();
    // Rotations interrupted by a crash or a restart carry on where they stopped.
    await services.rotations.resumeAll();
    const running: RunningServer = {
      app,
      services,
      url: services.urls.baseUrl(),
      rootKey,
      bootstrap: bootstrapped,
      tls,
      async close() {
        services.sweeper.stop();
        // Gives the lease of a run in progress back, so that another node takes it over at once.
        await services.detectWorker.stop();
        services.epoch.stop();
        services.rateLimiter.stop();
        await app?.close();
        await services.rotations.shutdown();
        // After the last request has answered: every entry is in; the thread's connection closes first.
        await services.audit?.close();
        await store?.close();
      },
    };
    logger.info({ url: running.url, store: store.kind }, 'strongroom is listening');
    return running;
  } catch (err) {
    await app?.close().catch(() => {});
    await started?.audit?.close().catch(() => {});
    await store?.close().catch(() => {});
    throw err;
  }
}
