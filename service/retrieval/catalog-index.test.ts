import { describe, expect, it } from 'vitest';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServiceConfig } from '../config.js';
import { createCatalogIndex, termsOf } from './catalog-index.js';
import { createCatalogRetrieval, loadCatalog } from './load-catalog.js';
import type { CatalogProduct } from './types.js';

const { catalogPath } = loadServiceConfig({ SESSION_SIGNING_SECRET: 'test-secret-of-32-characters-xx' });

describe('the catalog index (OpenSearch-shaped, JP bigrams)', () => {
  it('loads the 200-title fixture and gives every product a stock flag', async () => {
    const products = await loadCatalog(catalogPath);
    expect(products).toHaveLength(200);
    expect(products.some((product) => product.inStock)).toBe(true);
    expect(products.some((product) => !product.inStock)).toBe(true);
  });

  it('cuts Japanese into bigrams and keeps Latin words whole', () => {
    expect([...termsOf('ホラー漫画')]).toEqual(['ホラ', 'ラー', 'ー漫', '漫画', 'ホラー']);
    expect([...termsOf('のおすすめ')]).toEqual([]);
    expect([...termsOf('Horror SF!')]).toEqual(['horror', 'sf']);
  });

  it('finds horror titles for a horror question, best first, in OpenSearch response shape', async () => {
    const retrieval = await createCatalogRetrieval({ catalogPath });
    const { hits } = await retrieval.search({ query: { match: { text: 'ホラー漫画のおすすめを教えて' } }, size: 3 });
    expect(hits.hits).toHaveLength(3);
    for (const hit of hits.hits) {
      expect(hit._source.genre).toBe('horror');
      expect(hit._id).toBe(hit._source.id);
    }
    const scores = hits.hits.map((hit) => hit._score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('ranks an exact title first', async () => {
    const products = await loadCatalog(catalogPath);
    const target = products[57] as CatalogProduct;
    const retrieval = createCatalogIndex(products);
    const { hits } = await retrieval.search({ query: { match: { text: `${target.title}は何巻まで出ていますか` } }, size: 5 });
    expect(hits.hits[0]?._id).toBe(target.id);
  });

  it('is deterministic and returns nothing for a question that matches nothing', async () => {
    const retrieval = await createCatalogRetrieval({ catalogPath });
    const body = { query: { match: { text: 'SFの宇宙もの' } }, size: 10 };
    expect(await retrieval.search(body)).toEqual(await retrieval.search(body));
    expect((await retrieval.search({ query: { match: { text: 'xyzzy' } }, size: 10 })).hits.hits).toEqual([]);
  });

  it('applies a product change to later searches and tells listeners', async () => {
    const products = await loadCatalog(catalogPath);
    const retrieval = createCatalogIndex(products);
    const target = products[0] as CatalogProduct;
    const seen: CatalogProduct[] = [];
    retrieval.onProductChange((product) => seen.push(product));
    const updated = retrieval.updateProduct(target.id, { priceYen: 1, inStock: false });
    expect(updated).toMatchObject({ id: target.id, priceYen: 1, inStock: false });
    expect(seen).toEqual([updated]);
    const { hits } = await retrieval.search({ query: { match: { text: target.title } }, size: 1 });
    expect(hits.hits[0]?._source).toMatchObject({ priceYen: 1, inStock: false });
    expect(retrieval.updateProduct('no-such-id', { priceYen: 2 })).toBeNull();
  });

  it('refuses a catalog file with a broken entry, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    try {
      const path = join(dir, 'bad.json');
      await writeFile(path, JSON.stringify([{ id: 'x', title: 'T' }]));
      await expect(loadCatalog(path)).rejects.toThrow(/entry 0 lacks the text field "author"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
