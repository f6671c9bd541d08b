/**
 * Strict ISO 8601 instants for the date operators. `Date.parse` accepts many non-standard,
 * engine-specific formats and reads an offset-less date-time in the server's local zone, which
 * would make a rule's answer depend on where Strapi runs (invariant 7). This parser accepts only
 * `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]`; a missing offset means UTC.
 *
 * It scans characters instead of running a regular expression. Only the built-in `now` is
 * remembered between calls: a visitor's own dates must not outlive the request.
 */

const [PLUS, MINUS, DOT, COLON, T, Z] = ['+', '-', '.', ':', 'T', 'Z'].map((c) => c.charCodeAt(0));

/** The number in `count` ASCII digits at `start`, or NaN. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Minutes east of UTC for `Z` or `±HH:MM` filling the rest of the text, or NaN. */
function zoneOffset(text: string, at: number): number {
  if (at === text.length) return 0;
  const mark = text.charCodeAt(at);
  if (mark === Z) return at + 1 === text.length ? 0 : NaN;
  const sign = mark === PLUS ? 1 : mark === MINUS ? -1 : NaN;
  if (at + 6 !== text.length || text.charCodeAt(at + 3) !== COLON) return NaN;
  const hours = digits(text, at + 1, 2);
  const minutes = digits(text, at + 4, 2);
  return hours <= 23 && minutes <= 59 ? sign * (hours * 60 + minutes) : NaN;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), years ≥ 0. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Milliseconds since the epoch, or NaN when the text is not a strict ISO 8601 instant. */
export function parseIsoInstant(text: string): number {
  if (text.length < 10 || text.charCodeAt(4) !== MINUS || text.charCodeAt(7) !== MINUS) return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) return NaN;

  let hour = 0;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let at = 10;
  if (text.length > 10) {
    if (text.charCodeAt(10) !== T || text.charCodeAt(13) !== COLON) return NaN;
    hour = digits(text, 11, 2);
    minute = digits(text, 14, 2);
    at = 16;
    if (text.charCodeAt(at) === COLON) {
      second = digits(text, at + 1, 2);
      at += 3;
      if (text.charCodeAt(at) === DOT) {
        // Up to nine digits; milliseconds are the first three, the rest is ignored.
        const start = ++at;
        while (at < text.length && at - start < 9 && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) {
          if (at - start < 3) millisecond += (text.charCodeAt(at) - 48) * 10 ** (2 - (at - start));
          at++;
        }
        if (at === start) return NaN;
      }
    }
    if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  }
  const offset = zoneOffset(text, at);
  const time = ((hour * 60 + minute - offset) * 60 + second) * 1000 + millisecond;
  return daysSinceEpoch(year, month, day) * 86_400_000 + time;
}

/** `parseIsoInstant` for any value; anything but a string is NaN. */
export function toInstant(value: unknown): number {
  return typeof value === 'string' ? parseIsoInstant(value) : NaN;
}

let lastNow = '';
let lastNowInstant = NaN;

/**
 * `toInstant` for the built-in `now`, remembering the last one: a request's rules all compare
 * the same `now`. Only `now`: it is the request's time, not something a visitor shared.
 */
export function toRequestInstant(value: unknown): number {
  if (value === lastNow) return lastNowInstant;
  const instant = toInstant(value);
  if (typeof value === 'string') {
    lastNow = value;
    lastNowInstant = instant;
  }
  return instant;
}
