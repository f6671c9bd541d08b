/**
 * `GET /personalization/served?contentType=<uid>&documentId=<base documentId>` (permission `read`):
 * how often each variant of a base entry was served over the last 7 UTC days, today included.
 *
 * Counted where delivery labels an entry of an enabled type whose base has variants: one count per
 * response and entry (REST, GraphQL, related entries alike). Admin previews and known bots are not
 * counted. Counts are aggregate per base, variant and UTC day, buffered in memory and written in
 * batches (every `servedCounts.flushIntervalMs`, 2 s by default), so they reach this endpoint within
 * a few seconds and never cost a database write on the request path. Nothing about a visitor is kept.
 */

/** One variant's (or the base's) count over the window. */
export interface ServedCount {
  /** The variant key; null for the base entry (served when no variant was). */
  variant: string | null;
  served: number;
  /** `served / total`, between 0 and 1; null when `total` is 0. */
  share: number | null;
}

export interface ServedCounts {
  contentType: string;
  baseDocumentId: string;
  /** First and last UTC day of the window (`YYYY-MM-DD`), both included. */
  from: string;
  to: string;
  /** Responses that held this entry, whatever was served: the base's count plus every variant's. */
  total: number;
  /** The base entry first, then every variant that has a record or a count, by key. */
  counts: ServedCount[];
}
