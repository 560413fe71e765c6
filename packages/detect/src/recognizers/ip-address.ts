import type { Recognizer } from '../model.js';
import { ipv4Plausibility, ipv4Valid, ipv6Valid } from '../validators/ip.js';
import { cand, digitPattern, matchAll } from './util.js';

const IPV4 = digitPattern(/(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)/g, 0);
const IPV6 =
  /(?<![\w:.])(?:[0-9a-f]{1,4}:|::?)(?:[0-9a-f]{0,4}:){1,7}(?:[0-9a-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/gi;
const CONTEXT = ['ip', 'ip address', 'ipv4', 'ipv6', 'address', 'server', 'host', 'from', 'client', 'login', 'logged'];

/** IPv4 and IPv6 addresses, validated (octet ranges, group structure). */
export const ipAddressRecognizer: Recognizer = {
  name: 'ip_address',
  entityTypes: ['ip_address'],
  find(doc) {
    if (!doc.hasDigit) return [];
    const text = doc.text;
    return [
      ...(!text.includes('.')
        ? []
        : matchAll(text, IPV4, (m) =>
            ipv4Valid(m[0])
              ? cand(m.index, m.index + m[0].length, 'ip_address', 0.6 * ipv4Plausibility(m[0]) + 0.2, 'ip_address', {
                  context: CONTEXT,
                })
              : undefined,
          )),
      ...(!text.includes(':')
        ? []
        : matchAll(text, IPV6, (m) => {
            const s = m[0];
            if (!ipv6Valid(s) || (s.match(/:/g)?.length ?? 0) < 2) return undefined;
            // "10:30:00" is a time, not "::"-less IPv6; require a hex letter, "::" or 5+ groups.
            if (!/[a-f]|::/i.test(s) && s.split(':').length < 5) return undefined;
            return cand(m.index, m.index + s.length, 'ip_address', 0.85, 'ip_address', { context: CONTEXT });
          })),
    ];
  },
};
