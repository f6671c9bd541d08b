import * as React from 'react';
import { useT } from './useT';

/** The default purposes' titles as the plugin configures them (English): the plugin's own words. */
export const DEFAULT_PURPOSE_TITLES: Record<string, string> = {
  necessary: 'Strictly necessary',
  functional: 'Functional',
  personalization: 'Personalization',
  measurement: 'Measurement',
  marketing: 'Marketing',
};

/**
 * Purpose key → title in the editor's language. A default purpose whose title the site left as it is
 * reads in the editor's language (`purpose.<key>.title`); a title the site configured itself is its
 * own wording and shown as configured.
 */
export function usePurposeTitles(purposes: ReadonlyArray<{ key: string; title: string }>): Map<string, string> {
  const t = useT();
  return React.useMemo(
    () =>
      new Map(
        purposes.map(({ key, title }) => {
          const english = Object.prototype.hasOwnProperty.call(DEFAULT_PURPOSE_TITLES, key) ? DEFAULT_PURPOSE_TITLES[key] : undefined;
          return [key, english !== undefined && title === english ? t(`purpose.${key}.title`, english) : title];
        })
      ),
    [purposes, t]
  );
}
