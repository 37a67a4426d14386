import type { ExportResponse, PagedResponse } from './servicetitan.types';

export const MAX_PAGE_SIZE = 5000;
export const DEFAULT_ITERATION_PAGE_SIZE = 500;

export function assertPageSize(pageSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  return pageSize;
}

export interface PageIterationOptions {
  /** Records per request, 1..5000. Default 500. */
  pageSize?: number;
  /** First page (1-based). Default 1. */
  startPage?: number;
  /** Safety stop for runaway paging. Default unlimited. */
  maxPages?: number;
}

/**
 * Yields every record of an enveloped list (`page/pageSize/hasMore/data`), requesting page after page while
 * `hasMore` is true. Note: offset paging over a table that changes meanwhile can skip or repeat rows; use the
 * export feeds for change tracking.
 */
export async function* iteratePagedList<T>(
  fetchPage: (page: number, pageSize: number) => Promise<PagedResponse<T>>,
  options: PageIterationOptions = {},
): AsyncGenerator<T, void, undefined> {
  const pageSize = assertPageSize(options.pageSize ?? DEFAULT_ITERATION_PAGE_SIZE);
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  let page = options.startPage ?? 1;
  for (let fetched = 0; fetched < maxPages; fetched++, page++) {
    const response = await fetchPage(page, pageSize);
    yield* response.data;
    if (!response.hasMore || response.data.length === 0) return;
  }
}

/**
 * Same for the bare-array list (`/accounting/.../inventory-bills`): there is no `hasMore`, so a short page ends it.
 * When the total is an exact multiple of pageSize, one extra (empty) request is needed to learn that.
 */
export async function* iterateBareArrayList<T>(
  fetchPage: (page: number, pageSize: number) => Promise<T[]>,
  options: PageIterationOptions = {},
): AsyncGenerator<T, void, undefined> {
  const pageSize = assertPageSize(options.pageSize ?? DEFAULT_ITERATION_PAGE_SIZE);
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  let page = options.startPage ?? 1;
  for (let fetched = 0; fetched < maxPages; fetched++, page++) {
    const rows = await fetchPage(page, pageSize);
    yield* rows;
    if (rows.length < pageSize) return;
  }
}

/** One response of an export feed, with the token that produced it so callers can checkpoint per page. */
export interface ExportPage<T> {
  /** The `from` value sent for this page (undefined = from the start). */
  from?: string;
  /** Token to send as `from` for the next page / next poll. Persist it after the page's rows are processed. */
  continueFrom: string;
  hasMore: boolean;
  data: T[];
}

/** What an export iteration returns when the feed is drained (`hasMore: false`). */
export interface ExportFeedResult {
  /** Final continuation token: persist it and poll again from it later (after a few minutes). */
  continueFrom: string | undefined;
  pages: number;
  rows: number;
}

export interface ExportIterationOptions {
  from?: string;
  includeRecentChanges?: boolean;
  /** Stop after this many pages even if `hasMore` (the return value still carries the token to resume from). */
  maxPages?: number;
}

/**
 * Follows an export feed from `from` until `hasMore` is false, yielding each page. The generator's return value is
 * the final continuation token. Rows at a page boundary repeat (`from` is inclusive): wrap with
 * `dedupeExportPages` or dedupe downstream.
 */
export async function* iterateExportFeed<T>(
  fetchPage: (from: string | undefined) => Promise<ExportResponse<T>>,
  options: ExportIterationOptions = {},
): AsyncGenerator<ExportPage<T>, ExportFeedResult, undefined> {
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  let from = options.from;
  let pages = 0;
  let rows = 0;
  while (pages < maxPages) {
    const response = await fetchPage(from);
    pages++;
    rows += response.data.length;
    yield {
      from,
      continueFrom: response.continueFrom,
      hasMore: response.hasMore,
      data: response.data,
    };
    const next = response.continueFrom;
    if (!response.hasMore) return { continueFrom: next, pages, rows };
    if (next === from) {
      // A feed that claims more rows but hands back the same token would loop forever.
      throw new Error(`export feed returned hasMore=true with an unchanged continuation token after ${pages} page(s)`);
    }
    from = next;
  }
  return { continueFrom: from, pages, rows };
}

/** Identity of an export row for boundary dedupe: id + modifiedOn (the same row changed later is NOT a duplicate). */
export type ExportRowKey<T> = (row: T) => string;

export function defaultExportRowKey(row: { id?: number | null; modifiedOn?: string | null }): string {
  return `${row.id ?? ''}@${row.modifiedOn ?? ''}`;
}

/**
 * Drops rows repeated across the inclusive `from` boundary of an export feed. It remembers the keys of the last page
 * only (repeats happen only at the boundary), so memory stays bounded; `boundaryKeys()` can be persisted next to the
 * continuation token and passed back as `initialKeys` so the repeat at the start of the next poll is dropped too.
 */
export class ExportBoundaryDeduper<T> {
  private previous: Set<string>;

  constructor(
    private readonly keyOf: ExportRowKey<T>,
    initialKeys: Iterable<string> = [],
  ) {
    this.previous = new Set(initialKeys);
  }

  /** Returns the rows of `page` not seen on the previous page (also removing duplicates inside the page). */
  filter(page: readonly T[]): T[] {
    const current = new Set<string>();
    const out: T[] = [];
    for (const row of page) {
      const key = this.keyOf(row);
      if (this.previous.has(key) || current.has(key)) continue;
      current.add(key);
      out.push(row);
    }
    // Keep the previous keys too when the page was all repeats, so an empty step does not forget the boundary.
    if (page.length > 0) this.previous = new Set(page.map((row) => this.keyOf(row)));
    return out;
  }

  boundaryKeys(): string[] {
    return [...this.previous];
  }
}

/** Wraps an export iteration so each yielded page carries only rows not already delivered at the boundary. */
export async function* dedupeExportPages<T>(
  pages: AsyncGenerator<ExportPage<T>, ExportFeedResult, undefined>,
  deduper: ExportBoundaryDeduper<T>,
): AsyncGenerator<ExportPage<T>, ExportFeedResult, undefined> {
  for (;;) {
    const next = await pages.next();
    if (next.done) return next.value;
    yield { ...next.value, data: deduper.filter(next.value.data) };
  }
}

/** Drains an export iteration into memory (small feeds, tests): rows in order plus the final token. */
export async function collectExport<T>(
  pages: AsyncGenerator<ExportPage<T>, ExportFeedResult, undefined>,
): Promise<{ rows: T[]; result: ExportFeedResult }> {
  const rows: T[] = [];
  for (;;) {
    const next = await pages.next();
    if (next.done) return { rows, result: next.value };
    rows.push(...next.value.data);
  }
}
