/** True when year/month/day name a real calendar day (proleptic Gregorian, leap years included). */
export function realDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Expands a two-digit year the way people write them: 00–49 → 2000s, 50–99 → 1900s. */
export function fullYear(y: number, digits: number): number {
  if (digits > 2) return y;
  return y < 50 ? 2000 + y : 1900 + y;
}

/** True for a clock time h:m(:s) with optional 12-hour marker. */
export function realTime(h: number, m: number, s = 0, twelveHour = false): boolean {
  if (m < 0 || m > 59 || s < 0 || s > 60) return false;
  return twelveHour ? h >= 1 && h <= 12 : h >= 0 && h <= 24;
}
