import type { Repositories, Store } from '../store/types.js';
import type { ServerUrls } from './urls.js';

const PREFIX = 'issued_token_uri:';
const RELOAD_MS = 5_000;

/**
 * The `aud` values the token endpoint accepts: this server's current token URI, configured extras, and
 * every token URI it has written into credentials it issued. Credentials outlive a change of port or
 * host name; an assertion addressed to a URI we issued ourselves was still meant for us.
 */
export class TokenAudiences {
  private issued: string[] = [];
  private loadedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly urls: ServerUrls,
  ) {}

  /** Records, in the caller's transaction, that credentials naming `uri` are being issued. */
  async remember(repos: Repositories, uri: string): Promise<void> {
    await repos.meta.setIfAbsent(`${PREFIX}${uri}`, uri);
    this.loadedAt = 0;
  }

  async accepted(): Promise<string[]> {
    if (Date.now() - this.loadedAt > RELOAD_MS) {
      this.issued = (await this.store.meta.listByPrefix(PREFIX)).map((row) => row.value);
      this.loadedAt = Date.now();
    }
    return [...new Set([...this.urls.tokenAudiences(), ...this.issued])];
  }
}
