import { collectExport, iterateExportFeed, iteratePagedList } from './paging.iterator';
import type { ExportResponse } from './servicetitan.types';

type Row = { id: number; modifiedOn: string };
const row = (id: number, minute = id): Row => ({
  id,
  modifiedOn: `2025-01-01T00:${String(minute).padStart(2, '0')}:00Z`,
});

describe('paging iterators', () => {
  it('follows hasMore across pages', async () => {
    const requested: number[] = [];
    const rows: number[] = [];
    for await (const r of iteratePagedList(
      async (page, pageSize) => {
        requested.push(page);
        const data = [1, 2, 3, 4, 5].slice((page - 1) * pageSize, page * pageSize);
        return { page, pageSize, hasMore: page * pageSize < 5, data };
      },
      { pageSize: 2 },
    )) {
      rows.push(r);
    }
    expect(rows).toEqual([1, 2, 3, 4, 5]);
    expect(requested).toEqual([1, 2, 3]);
  });

  it('rejects page sizes above the API maximum', async () => {
    const it = iteratePagedList(async () => ({ page: 1, pageSize: 1, hasMore: false, data: [] }), { pageSize: 5001 });
    await expect(it.next()).rejects.toThrow('between 1 and 5000');
  });

  it('returns the final continuation token of an export feed', async () => {
    const pages: Record<string, ExportResponse<Row>> = {
      start: { hasMore: true, continueFrom: 't1', data: [row(1), row(2)] },
      t1: { hasMore: true, continueFrom: 't2', data: [row(2), row(3)] },
      t2: { hasMore: false, continueFrom: 't3', data: [row(3)] },
    };
    const froms: Array<string | undefined> = [];
    const { rows, result } = await collectExport(
      iterateExportFeed(async (from) => {
        froms.push(from);
        return pages[from ?? 'start'] as ExportResponse<Row>;
      }),
    );
    expect(froms).toEqual([undefined, 't1', 't2']);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 2, 3, 3]);
    expect(result).toEqual({ continueFrom: 't3', pages: 3, rows: 5 });
  });

  it('refuses a feed that claims more rows but repeats its token', async () => {
    const feed = iterateExportFeed(async () => ({ hasMore: true, continueFrom: 'same', data: [row(1)] }), {
      from: 'same',
    });
    await expect(collectExport(feed)).rejects.toThrow('unchanged continuation token');
  });

  it('stops at maxPages and returns the token to resume from', async () => {
    const feed = iterateExportFeed(
      async (from) => ({
        hasMore: true,
        continueFrom: `${from ?? ''}x`,
        data: [row(1)],
      }),
      { maxPages: 2 },
    );
    const { result } = await collectExport(feed);
    expect(result).toEqual({ continueFrom: 'xx', pages: 2, rows: 2 });
  });

  it('collectExport drains a feed, boundary repeats included, and keeps its result', async () => {
    const pages: ExportResponse<Row>[] = [
      { hasMore: true, continueFrom: 'a', data: [row(1), row(2)] },
      { hasMore: false, continueFrom: 'b', data: [row(2), row(3)] },
    ];
    let i = 0;
    const { rows, result } = await collectExport(iterateExportFeed(async () => pages[i++] as ExportResponse<Row>));
    expect(rows.map((r) => r.id)).toEqual([1, 2, 2, 3]);
    expect(result).toEqual({ continueFrom: 'b', pages: 2, rows: 4 });
  });
});
