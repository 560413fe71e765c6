import { luhnValid } from './luhn.js';

// Issuer identification number ranges and the lengths each network issues (ISO/IEC 7812 registrations
// as the networks publish them). A Luhn-valid string outside every range is more likely an order or
// account number than a card.
const NETWORKS: ReadonlyArray<{ prefixes: ReadonlyArray<readonly [number, number]>; lengths: readonly number[] }> = [
  { prefixes: [[4, 4]], lengths: [13, 16, 19] }, // Visa
  {
    prefixes: [
      [51, 55],
      [2221, 2720],
    ],
    lengths: [16],
  }, // Mastercard
  {
    prefixes: [
      [34, 34],
      [37, 37],
    ],
    lengths: [15],
  }, // American Express
  {
    prefixes: [
      [300, 305],
      [36, 36],
      [38, 39],
    ],
    lengths: [14, 15, 16, 17, 18, 19],
  }, // Diners Club
  {
    prefixes: [
      [6011, 6011],
      [644, 649],
      [65, 65],
    ],
    lengths: [16, 17, 18, 19],
  }, // Discover
  { prefixes: [[3528, 3589]], lengths: [16, 17, 18, 19] }, // JCB
  {
    prefixes: [
      [50, 50],
      [56, 69],
    ],
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  }, // Maestro and domestic schemes
  { prefixes: [[62, 62]], lengths: [16, 17, 18, 19] }, // UnionPay
  { prefixes: [[2200, 2204]], lengths: [16, 17, 18, 19] }, // Mir
  { prefixes: [[1, 1]], lengths: [15] }, // UATP
];

/** True when `digits` has a known network's prefix and length and passes the Luhn check. */
export function paymentCardValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) return false;
  return NETWORKS.some(
    (n) =>
      n.lengths.includes(digits.length) &&
      n.prefixes.some(([lo, hi]) => {
        const width = String(lo).length;
        const p = Number(digits.slice(0, width));
        return p >= lo && p <= hi;
      }),
  );
}
