import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerUrls } from '../../auth/urls.js';
import type { Keyring } from '../../crypto/keyring.js';

/** The file a download URL grants, and until when. */
export interface FileRef {
  readonly vaultId: string;
  readonly table: string;
  readonly recordId: string;
  readonly column: string;
  /** When the file was uploaded (ms): replacing the file invalidates URLs of the old one. */
  readonly uploadedAt: number;
}

interface Payload {
  v: string;
  t: string;
  r: string;
  c: string;
  u: number;
  e: number;
}

/**
 * Expiring download URLs for files, like pre-signed object-store URLs: the URL itself is the credential
 * (`GET /v1/files/{grant}`), an HMAC-SHA256 over what it grants under a key of this server, so it works
 * on every node and cannot be altered or extended.
 */
export class FileUrlSigner {
  private readonly key: Buffer;

  constructor(
    keyring: Keyring,
    private readonly urls: ServerUrls,
    private readonly lifetimeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = keyring.serverKey(['file-download-url']);
  }

  sign(ref: FileRef): string {
    const payload: Payload = {
      v: ref.vaultId,
      t: ref.table,
      r: ref.recordId,
      c: ref.column,
      u: ref.uploadedAt,
      e: Math.floor(this.now() / 1000) + this.lifetimeSeconds,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${this.urls.baseUrl()}/v1/files/${body}.${this.mac(body)}`;
  }

  /** The file a grant names, or undefined when it is malformed, forged or expired. */
  verify(grant: string): FileRef | undefined {
    const [body, mac, extra] = grant.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return undefined;
    }
    if (typeof payload.e !== 'number' || payload.e * 1000 < this.now()) return undefined;
    return { vaultId: payload.v, table: payload.t, recordId: payload.r, column: payload.c, uploadedAt: payload.u };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
