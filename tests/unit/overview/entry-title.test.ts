/**
 * The Overview's entry titles: the default locale's, whatever order the database returns the
 * locales in (the demo's German row came first, so the Overview showed an English editor the
 * German title), a draft before a published row, empty titles passed over.
 */
import { entryTitles } from '../../../server/src/core/entry-title';

describe('entryTitles', () => {
  it('takes the default locale’s title even when another locale’s row comes first', () => {
    const rows = [
      { documentId: 'a', locale: 'de', publishedAt: null, title: 'Fünf Wege' },
      { documentId: 'a', locale: 'en', publishedAt: null, title: 'Five trails' },
      { documentId: 'a', locale: 'de', publishedAt: '2026-01-01', title: 'Fünf Wege' },
    ];
    expect(entryTitles(rows, 'title', 'en').get('a')).toBe('Five trails');
    expect(entryTitles(rows, 'title', 'de').get('a')).toBe('Fünf Wege');
  });

  it('prefers the draft, the text being edited, to the published row', () => {
    const rows = [
      { documentId: 'a', locale: 'en', publishedAt: '2026-01-01', title: 'Old title' },
      { documentId: 'a', locale: 'en', publishedAt: null, title: 'New title' },
    ];
    expect(entryTitles(rows, 'title', 'en').get('a')).toBe('New title');
  });

  it('falls back to another locale, by code, when the default locale has no title', () => {
    const rows = [
      { documentId: 'a', locale: 'fr', publishedAt: null, title: 'Cinq' },
      { documentId: 'a', locale: 'en', publishedAt: null, title: '' },
      { documentId: 'a', locale: 'de', publishedAt: null, title: 'Fünf' },
      { documentId: 'b', locale: 'en', publishedAt: null, title: null },
    ];
    const titles = entryTitles(rows, 'title', 'en');
    expect(titles.get('a')).toBe('Fünf');
    expect(titles.has('b')).toBe(false);
  });

  it('reads types without i18n or draft and publish', () => {
    expect(entryTitles([{ documentId: 'a', name: 'Home' }], 'name', null)).toEqual(new Map([['a', 'Home']]));
  });
});
