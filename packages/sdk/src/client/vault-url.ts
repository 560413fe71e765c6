import { invalidInput } from '../errors/skyflow-error.js';

/** Skyflow environments, each a family of vault hosts (§1). */
export enum Env {
  PROD = 'PROD',
  SANDBOX = 'SANDBOX',
  DEV = 'DEV',
  STAGE = 'STAGE',
}

const VAULT_DOMAINS: Record<Env, string> = {
  [Env.PROD]: 'vault.skyflowapis.com',
  [Env.SANDBOX]: 'vault.skyflowapis-preview.com',
  [Env.DEV]: 'vault.skyflowapis.dev',
  [Env.STAGE]: 'vault.skyflowapis.tech',
};

/** A cluster ID is one DNS label: it must not be able to change the host it is placed in. */
export const CLUSTER_ID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Skyflow's vault URL rule: `https://{clusterId}.vault.skyflowapis{.com|-preview.com|.dev|.tech}`. */
export function skyflowVaultUrl(clusterId: string, env: Env = Env.PROD): string {
  if (typeof clusterId !== 'string' || !CLUSTER_ID.test(clusterId)) {
    throw invalidInput('clusterId must be a single DNS label (letters, digits and inner hyphens).');
  }
  const domain = VAULT_DOMAINS[env];
  if (!domain) throw invalidInput(`env must be one of ${Object.values(Env).join(', ')}.`);
  return `https://${clusterId}.${domain}`;
}

/**
 * Normalises a free vault URL (Strongroom, or any host): http or https, no query or fragment, no
 * credentials, trailing slashes dropped; a path prefix is kept (a vault behind a reverse proxy at `/vault`).
 */
export function normaliseVaultUrl(vaultURL: string): string {
  let url: URL;
  try {
    url = new URL(vaultURL);
  } catch {
    throw invalidInput('vaultURL is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidInput('vaultURL must be an http(s) URL.');
  if (url.username || url.password) throw invalidInput('vaultURL must not contain credentials.');
  if (url.search || url.hash) throw invalidInput('vaultURL must not have a query or a fragment.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
