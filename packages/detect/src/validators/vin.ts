const TRANSLIT: Readonly<Record<string, number>> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * Vehicle identification number (ISO 3779): 17 characters without I, O, Q. North American VINs carry a
 * check digit in position 9; others may not, so a failed check only lowers confidence (returns 0.5).
 */
export function vinConfidence(candidate: string): number {
  const vin = candidate.toUpperCase();
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin) || !/\d/.test(vin) || !/[A-Z]/.test(vin)) return 0;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const ch = vin.charAt(i);
    const v = /\d/.test(ch) ? Number(ch) : (TRANSLIT[ch] ?? 0);
    sum += v * (WEIGHTS[i] ?? 0);
  }
  const check = sum % 11;
  const expected = check === 10 ? 'X' : String(check);
  return vin.charAt(8) === expected ? 1 : 0.5;
}
