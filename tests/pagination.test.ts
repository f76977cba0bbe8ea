import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, harness, partner, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

type Item = { id: string; createdAt: string; mode: string };
type Page = { object: 'list'; data: Item[]; hasMore: boolean; nextCursor: string | null };

async function createContacts(key: string, count: number, label = 'Contact'): Promise<string[]> {
  const ids: string[] = [];
  // One after the other, so creation order is a real order in time.
  for (let i = 0; i < count; i++) {
    const res = await partner(h.app, 'POST', '/contacts', key, { body: { name: `${label} ${i}` } });
    expect(res.status, res.text).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

async function page(key: string, path: string, query: Record<string, string>): Promise<Page> {
  const res = await partner<Page>(h.app, 'GET', path, key, { query });
  expect(res.status, res.text).toBe(200);
  expect(res.body.object).toBe('list');
  return res.body;
}

/** Walks every page; `between` runs after each page is fetched. */
async function walk(key: string, path: string, limit: number, between?: () => Promise<void>) {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const p: Page = await page(key, path, { limit: String(limit), ...(cursor && { cursor }) });
    pages.push(p);
    cursor = p.nextCursor;
    if (between) await between();
  } while (cursor !== null && pages.length < 100);
  return pages;
}

/** Newest first: createdAt descending, then id descending (byte order, as the database collates with C). */
function expectNewestFirst(items: Item[]) {
  for (let i = 1; i < items.length; i++) {
    const [a, b] = [items[i - 1]!, items[i]!];
    const ordered = a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
    expect(ordered, `${a.id}@${a.createdAt} before ${b.id}@${b.createdAt}`).toBe(true);
  }
}

describe('cursor pagination', () => {
  it('walks 25 contacts in pages of 7: each seen once, newest first, ending with hasMore false and no cursor', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const created = await createContacts(a.test, 25);
    // Noise in the other mode and in another team, some of it created after ours.
    await createContacts(a.live, 4, 'Live');
    await createContacts(b.test, 4, 'Other team');

    const pages = await walk(a.test, '/contacts', 7);
    expect(pages.map((p) => p.data.length)).toEqual([7, 7, 7, 4]);
    expect(pages.map((p) => p.hasMore)).toEqual([true, true, true, false]);
    for (const p of pages.slice(0, -1)) expect(p.nextCursor).toEqual(expect.any(String));
    expect(pages.at(-1)!.nextCursor).toBeNull();

    const items = pages.flatMap((p) => p.data);
    const ids = items.map((i) => i.id);
    expect(new Set(ids).size).toBe(25);
    expect([...ids].sort()).toEqual([...created].sort());
    expect(items.every((i) => i.mode === 'test')).toBe(true);
    expectNewestFirst(items);
    // Whenever two items differ in createdAt, the one created later comes first.
    for (let i = 1; i < items.length; i++) {
      if (items[i - 1]!.createdAt !== items[i]!.createdAt) expect(created.indexOf(ids[i - 1]!)).toBeGreaterThan(created.indexOf(ids[i]!));
    }
  });

  it('a page that ends exactly at the last item says hasMore false', async () => {
    const { test } = await createTenant(h.app);
    await createContacts(test, 6);
    const first = await page(test, '/contacts', { limit: '3' });
    expect(first.hasMore).toBe(true);
    const second = await page(test, '/contacts', { limit: '3', cursor: first.nextCursor! });
    expect(second.data).toHaveLength(3);
    expect(second.hasMore).toBe(false);
    expect(second.nextCursor).toBeNull();
    const whole = await page(test, '/contacts', { limit: '6' });
    expect(whole.hasMore).toBe(false);
    expect(whole.nextCursor).toBeNull();
  });

  it('defaults to 20 and allows 100', async () => {
    const { test } = await createTenant(h.app);
    await createContacts(test, 21);
    const byDefault = await page(test, '/contacts', {});
    expect(byDefault.data).toHaveLength(20);
    expect(byDefault.hasMore).toBe(true);
    const max = await page(test, '/contacts', { limit: '100' });
    expect(max.data).toHaveLength(21);
    expect(max.hasMore).toBe(false);
  });

  it.each(['0', '101', 'abc', '-1', '2.5', ''])('rejects limit=%j with 400 naming limit', async (limit) => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'GET', '/contacts', test, { query: { limit } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.errors.map((e: { param: string }) => e.param)).toEqual(['limit']);
  });

  it('refuses a cursor minted by the test key when used with the live key of the same team', async () => {
    const { live, test } = await createTenant(h.app);
    await createContacts(test, 3);
    await createContacts(live, 3);
    const testPage = await page(test, '/contacts', { limit: '1' });
    const livePage = await page(live, '/contacts', { limit: '1' });

    for (const [key, cursor] of [
      [live, testPage.nextCursor!],
      [test, livePage.nextCursor!],
    ] as const) {
      const res = await partner(h.app, 'GET', '/contacts', key, { query: { limit: '1', cursor } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation.invalid_request');
      expect(res.body.param).toBe('cursor');
      expect(res.body.detail).toMatch(/mode/);
    }
    // The same cursor still works in its own mode.
    expect((await page(test, '/contacts', { limit: '1', cursor: testPage.nextCursor! })).data).toHaveLength(1);
  });

  it('refuses a contacts cursor on /clients and a clients cursor on /contacts', async () => {
    const { test } = await createTenant(h.app);
    await createContacts(test, 2);
    for (let i = 0; i < 2; i++) expect((await partner(h.app, 'POST', '/clients', test, { body: { name: `C${i}` } })).status).toBe(201);
    const contactsCursor = (await page(test, '/contacts', { limit: '1' })).nextCursor!;
    const clientsCursor = (await page(test, '/clients', { limit: '1' })).nextCursor!;

    for (const [path, cursor] of [
      ['/clients', contactsCursor],
      ['/contacts', clientsCursor],
      ['/audit-logs', contactsCursor],
    ] as const) {
      const res = await partner(h.app, 'GET', path, test, { query: { cursor } });
      expect(res.status, path).toBe(400);
      expect(res.body.param).toBe('cursor');
    }
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['base64 of non-JSON', Buffer.from('hello world').toString('base64url')],
    ['JSON of the wrong shape', Buffer.from(JSON.stringify({ foo: 1 })).toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['a number', Buffer.from('42').toString('base64url')],
    ['too long', 'A'.repeat(513)],
  ])('refuses a %s cursor with 400', async (_name, cursor) => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'GET', '/contacts', test, { query: { cursor } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.param ?? res.body.errors?.[0]?.param).toBe('cursor');
  });

  // Regression: an out-of-range timestamp once became an Invalid Date and a 500.
  it.each([1e20, -1e20, 8.64e15 + 1])('refuses a well-formed cursor whose timestamp %d is out of range with 400', async (t) => {
    const { test } = await createTenant(h.app);
    const cursor = Buffer.from(JSON.stringify({ l: 'contacts', m: 'test', t, i: `ct_test_${'0'.repeat(24)}` })).toString('base64url');
    const res = await partner(h.app, 'GET', '/contacts', test, { query: { cursor } });
    expect(res.status).toBe(400);
    expect(res.body.param).toBe('cursor');
  });

  it('inserts between page fetches never repeat an item or skip an older one', async () => {
    const { test } = await createTenant(h.app);
    const original = await createContacts(test, 25);
    const inserted: string[] = [];

    const pages = await walk(test, '/contacts', 7, async () => {
      inserted.push(...(await createContacts(test, 2, 'Late')));
    });

    const ids = pages.flatMap((p) => p.data.map((i) => i.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of original) expect(ids).toContain(id);
    for (const id of ids) expect([...original, ...inserted]).toContain(id);
    expectNewestFirst(pages.flatMap((p) => p.data));
    expect(pages.at(-1)!.hasMore).toBe(false);

    // A fresh walk sees everything.
    const fresh = (await walk(test, '/contacts', 100)).flatMap((p) => p.data.map((i) => i.id));
    expect([...fresh].sort()).toEqual([...original, ...inserted].sort());
  });

  it('a deleted cursor item does not break the walk', async () => {
    const { test } = await createTenant(h.app);
    const created = await createContacts(test, 10);
    const first = await page(test, '/contacts', { limit: '4' });
    const lastSeen = first.data.at(-1)!.id;
    expect((await partner(h.app, 'DELETE', `/contacts/${lastSeen}`, test)).status).toBe(200);

    const rest = await page(test, '/contacts', { limit: '100', cursor: first.nextCursor! });
    const seen = [...first.data, ...rest.data].map((i) => i.id);
    expect(new Set(seen).size).toBe(10);
    expect([...seen].sort()).toEqual([...created].sort());
    expect(rest.data).toHaveLength(6);
  });
});
