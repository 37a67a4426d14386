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
 * the final continuation token. Rows at a page boundary repeat (`from` is inclusive): dedupe downstream (e.g. by
 * content hash, which also drops a row whose content did not change).
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
