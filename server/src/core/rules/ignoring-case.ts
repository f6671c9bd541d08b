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

const NOT_ASCII = -1;

/**
 * Whether `text` lower-cased holds `lower` at `start`, comparing ASCII code by code; NOT_ASCII
 * when a character on the way is not ASCII. Lower-casing maps each ASCII character on its own,
 * so up to the first other character the text lines up with its lower-cased form.
 */
function matchesAt(text: string, lower: string, start: number): boolean | typeof NOT_ASCII {
  for (let i = 0; i < lower.length; i++) {
    let code = text.charCodeAt(start + i);
    if (code > 0x7f) return NOT_ASCII;
    if (code >= 65 && code <= 90) code += 32; // A–Z
    if (code !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function equalsIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text)) return text.toLowerCase() === lower;
  return text.length === lower.length && matchesAt(text, lower, 0) === true;
}

export function startsWithIgnoringCase(text: string, lower: string): boolean {
  if (text.length < lower.length) return isAscii(text) ? false : text.toLowerCase().startsWith(lower);
  const match = matchesAt(text, lower, 0);
  return match === NOT_ASCII ? text.toLowerCase().startsWith(lower) : match;
}

export function endsWithIgnoringCase(text: string, lower: string): boolean {
  if (text.length < lower.length) return isAscii(text) ? false : text.toLowerCase().endsWith(lower);
  const match = matchesBackwards(text, lower);
  return match === NOT_ASCII ? text.toLowerCase().endsWith(lower) : match;
}

/** `matchesAt` for the end of the text, scanned from the last character: the end lines up there. */
function matchesBackwards(text: string, lower: string): boolean | typeof NOT_ASCII {
  const offset = text.length - lower.length;
  for (let i = lower.length - 1; i >= 0; i--) {
    let code = text.charCodeAt(offset + i);
    if (code > 0x7f) return NOT_ASCII;
    if (code >= 65 && code <= 90) code += 32; // A–Z
    if (code !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function includesIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text)) return text.toLowerCase().includes(lower);
  for (let start = 0; start + lower.length <= text.length; start++) {
    if (matchesAt(text, lower, start) === true) return true;
  }
  return false;
}
