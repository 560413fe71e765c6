/**
 * A counter bumped whenever something that affects authentication changes on this node (a service
 * account, key, API key or role assignment). Cached principals from an older generation are re-resolved,
 * so such changes take effect at once here and within `authCacheSeconds` on other nodes.
 */
export class AuthEpoch {
  private value = 0;

  get generation(): number {
    return this.value;
  }

  bump(): void {
    this.value += 1;
  }
}
