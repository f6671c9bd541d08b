/**
 * How a variant's schedule reads, wherever it is shown (side panel, variant dialog, Overview): in
 * the site's configured time zone (the one the `hour` and `weekday` rules use), written the way the
 * editor's admin language writes dates and times, and naming that zone, so a schedule reads the same
 * on every screen and for every editor, wherever their browser is.
 */
import * as React from 'react';
import { useIntl } from 'react-intl';
import { useT } from '../hooks/useT';

/** A date and time in `timeZone`, as `formatDate` of the editor's locale writes it (one format everywhere). */
export function formatInstant(formatDate: (value: Date, options: Intl.DateTimeFormatOptions) => string, value: string, timeZone: string): string {
  return formatDate(new Date(value), { dateStyle: 'medium', timeStyle: 'short', timeZone });
}

export type SchedulePhrase =
  | { id: 'window'; from: string; to: string }
  | { id: 'from'; from: string }
  | { id: 'until'; to: string }
  | { id: 'always' };

/** Which sentence a schedule is, with its instants formatted: "from … to …", "from …", "until …" or "always". */
export function schedulePhrase(
  formatDate: (value: Date, options: Intl.DateTimeFormatOptions) => string,
  startsAt: string | null,
  endsAt: string | null,
  timeZone: string
): SchedulePhrase {
  const when = (value: string) => formatInstant(formatDate, value, timeZone);
  if (startsAt && endsAt) return { id: 'window', from: when(startsAt), to: when(endsAt) };
  if (startsAt) return { id: 'from', from: when(startsAt) };
  if (endsAt) return { id: 'until', to: when(endsAt) };
  return { id: 'always' };
}

/**
 * `describe(startsAt, endsAt)`: the schedule as one phrase with the zone named ("1 Dec 2026, 09:00 –
 * 6 Dec 2026, 18:00 (Europe/Berlin)"), or "always"; `when(value)` one instant; `zoneNote` the
 * sentence a date field can show as its hint.
 */
export function useSchedule(timeZone: string) {
  const t = useT();
  const { formatDate } = useIntl();
  return React.useMemo(() => {
    const zone = (text: string) => t('schedule.zone', '{text} ({zone})', { text, zone: timeZone });
    const describe = (startsAt: string | null, endsAt: string | null): string => {
      const phrase = schedulePhrase(formatDate, startsAt, endsAt, timeZone);
      switch (phrase.id) {
        case 'window':
          return zone(t('panel.schedule.window', '{from} – {to}', { from: phrase.from, to: phrase.to }));
        case 'from':
          return zone(t('panel.schedule.from', 'from {from}', { from: phrase.from }));
        case 'until':
          return zone(t('panel.schedule.until', 'until {to}', { to: phrase.to }));
        default:
          return t('panel.schedule.always', 'always');
      }
    };
    return {
      describe,
      when: (value: string) => formatInstant(formatDate, value, timeZone),
      zoneNote: t('schedule.zoneNote', 'Times in {zone}, the site’s time zone.', { zone: timeZone }),
    };
  }, [t, formatDate, timeZone]);
}
