/**
 * Case-insensitive matching against an already lower-cased needle. Plain ASCII text (nearly
 * every attribute value) is compared code by code, without allocating a lower-cased copy per
 * evaluation; any other text goes through `toLowerCase`, whose Unicode rules (İ, final sigma)
 * can change lengths and depend on context.
 */

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** For ASCII text: whether `text` lower-cased holds `lower` at `start`. */
function matchesAt(text: string, lower: string, start: number): boolean {
  for (let i = 0; i < lower.length; i++) {
    let code = text.charCodeAt(start + i);
    if (code >= 65 && code <= 90) code += 32; // A–Z
    if (code !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function equalsIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text)) return text.toLowerCase() === lower;
  return text.length === lower.length && matchesAt(text, lower, 0);
}

export function startsWithIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text)) return text.toLowerCase().startsWith(lower);
  return text.length >= lower.length && matchesAt(text, lower, 0);
}

export function endsWithIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text)) return text.toLowerCase().endsWith(lower);
  return text.length >= lower.length && matchesAt(text, lower, text.length - lower.length);
}

export function includesIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text)) return text.toLowerCase().includes(lower);
  for (let start = 0; start + lower.length <= text.length; start++) {
    if (matchesAt(text, lower, start)) return true;
  }
  return false;
}
