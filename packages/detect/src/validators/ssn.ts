/**
 * US Social Security number rules (SSA): area 001–899 except 666, group 01–99, serial 0001–9999, and
 * none of the numbers the SSA reserved for advertising (987-65-4320 … 4329) or that were famously
 * misused (078-05-1120).
 */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  if (digits === '078051120') return false;
  if (digits.startsWith('98765432')) return false;
  // One repeated digit is a placeholder, not a number someone holds.
  if (/^(\d)\1{8}$/.test(digits)) return false;
  return true;
}
