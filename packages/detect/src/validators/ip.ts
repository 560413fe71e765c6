/** True for a dotted-quad IPv4 address (octets 0–255, no leading zeros that would read as octal). */
export function ipv4Valid(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p.length === 1 || p[0] !== '0'));
}

/** True for an IPv6 address in full, compressed (::) or IPv4-suffixed form. */
export function ipv6Valid(s: string): boolean {
  let text = s;
  let groupsNeeded = 8;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!ipv4Valid(tail)) return false;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const doubles = text.split('::').length - 1;
  if (doubles > 1) return false;
  const hex = /^[0-9a-fA-F]{1,4}$/;
  if (doubles === 1) {
    const [head = '', rest = ''] = text.split('::');
    const left = head === '' ? [] : head.split(':');
    const right = rest === '' ? [] : rest.split(':');
    if (![...left, ...right].every((g) => hex.test(g))) return false;
    return left.length + right.length < groupsNeeded;
  }
  const groups = text.split(':');
  groupsNeeded = 8;
  return groups.length === groupsNeeded && groups.every((g) => hex.test(g));
}

/**
 * Coarse class of an IPv4 address. Private, loopback and documentation ranges are still personal data
 * inside logs, so they are detected too; the class only lowers confidence for the version-number-like
 * ones (0.x, 255.x).
 */
export function ipv4Plausibility(s: string): number {
  const first = Number(s.split('.')[0]);
  if (first === 0 || first >= 240) return 0.3;
  return 1;
}
