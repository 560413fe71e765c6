/**
 * Maps UTF-16 offsets (what JavaScript strings use) to the unit a response reports. Code points are
 * what Python's `str` indexes (Skyflow's service and Python SDK); the two only differ for characters
 * outside the Basic Multilingual Plane (emoji, some CJK), so the common case is the identity.
 */
export function indexMapper(text: string, unit: 'code_point' | 'utf16'): (utf16: number) => number {
  if (unit === 'utf16' || !/[\uD800-\uDBFF]/.test(text)) return (i) => i;
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const code = text.charCodeAt(i);
    // A high surrogate and its low surrogate are one code point: the low one maps to the same index.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      map[i + 1] = cp;
      i++;
    }
    cp++;
  }
  map[text.length] = cp;
  return (i) => map[i] ?? cp;
}
