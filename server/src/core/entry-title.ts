/**
 * The title an editor reads for an entry in the Overview. An entry's rows are its locales, each
 * as a draft and perhaps published, in whatever order the database returns them; the title is
 * taken from the default locale first (the locale the Content Manager opens the entry in), a draft
 * before a published row (the text being edited), then the other locales by code. Empty titles
 * are passed over.
 */
export interface TitleRow {
  documentId: unknown;
  locale?: unknown;
  publishedAt?: unknown;
  [field: string]: unknown;
}

function rank(row: TitleRow, defaultLocale: string | null): [number, number, string] {
  const locale = typeof row.locale === 'string' ? row.locale : '';
  return [defaultLocale !== null && locale === defaultLocale ? 0 : 1, row.publishedAt == null ? 0 : 1, locale];
}

function before(a: [number, number, string], b: [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/** documentId → title, from the rows of `field`; a document without a non-empty title is left out. */
export function entryTitles(rows: readonly TitleRow[], field: string, defaultLocale: string | null): Map<string, string> {
  const titles = new Map<string, string>();
  const ordered = [...rows].sort((a, b) => before(rank(a, defaultLocale), rank(b, defaultLocale)));
  for (const row of ordered) {
    const documentId = String(row.documentId);
    const value = row[field];
    if (!titles.has(documentId) && value !== null && value !== undefined && value !== '') titles.set(documentId, String(value));
  }
  return titles;
}
