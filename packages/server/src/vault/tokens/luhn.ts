/**
 * The Luhn (mod 10) checksum of payment card numbers. Both helpers take ASCII digits only; strip spaces
 * and dashes first.
 */

const DIGITS = /^[0-9]+$/;

/** Sum of the Luhn weights of `digits`, where the right-most digit has position `rightmostPosition`. */
function luhnSum(digits: string, rightmostPosition: number): number {
  let sum = 0;
  for (let i = digits.length - 1, position = rightmostPosition; i >= 0; i--, position++) {
    let d = digits.charCodeAt(i) - 48;
    if (position % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/** Whether `number` (one or more ASCII digits, nothing else) passes the Luhn check. */
export function luhnValid(number: string): boolean {
  return DIGITS.test(number) && luhnSum(number, 0) % 10 === 0;
}

/**
 * The check digit that makes `payload + digit` pass the Luhn check.
 *
 * @throws TypeError when `payload` is empty or not all ASCII digits.
 */
export function luhnCheckDigit(payload: string): string {
  if (!DIGITS.test(payload)) throw new TypeError('the Luhn payload must be one or more ASCII digits');
  // The payload's right-most digit sits at position 1 once the check digit is appended.
  return String((10 - (luhnSum(payload, 1) % 10)) % 10);
}

/**
 * The digit to put at index `index` of `digits` (replacing what is there) so that the whole string passes
 * the Luhn check. Every index works: as the digit runs over 0–9, its weighted value (d or 2d mod 9) runs
 * over all residues mod 10.
 */
export function luhnFixDigit(digits: string, index: number): string {
  const base = `${digits.slice(0, index)}0${digits.slice(index + 1)}`;
  const rest = luhnSum(base, 0) % 10;
  const doubled = (digits.length - 1 - index) % 2 === 1;
  for (let d = 0; d <= 9; d++) {
    const weighted = doubled ? (2 * d > 9 ? 2 * d - 9 : 2 * d) : d;
    if ((rest + weighted) % 10 === 0) return String(d);
  }
  /* c8 ignore next */
  throw new Error('unreachable: some digit always completes a Luhn sum');
}
