/** Where this server is reachable, known once it listens (or from `publicUrl`). */
export class ServerUrls {
  private listening: string | undefined;

  constructor(
    private readonly configured: string | undefined,
    private readonly extraAudiences: readonly string[] = [],
  ) {}

  /** Called once the server listens, with its actual address. */
  setListening(baseUrl: string): void {
    this.listening = baseUrl.replace(/\/+$/, '');
  }

  baseUrl(): string {
    const url = this.configured ?? this.listening;
    if (!url) throw new Error('server URL is not known before the server listens');
    return url;
  }

  tokenUri(): string {
    return `${this.baseUrl()}/v1/auth/sa/oauth/token`;
  }

  /** `aud` values the token endpoint accepts in assertions. */
  tokenAudiences(): string[] {
    return [this.tokenUri(), ...this.extraAudiences];
  }
}
