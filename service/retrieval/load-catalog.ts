import { readFile } from 'node:fs/promises';
import type { ServiceConfig } from '../config.js';
import { serviceErrors } from '../errors.js';
import { createCatalogIndex } from './catalog-index.js';
import type { CatalogProduct, Retrieval } from './types.js';

const textFields = ['id', 'title', 'author', 'genre', 'genreJa', 'synopsis'] as const;

/**
 * The fixture has no stock levels; a fixed share of titles is out of stock (every seventh by
 * id number) so answers and cache invalidation have both cases to show. A file that states
 * `inStock` wins.
 */
function defaultInStock(id: string): boolean {
  const digits = /(\d+)$/.exec(id)?.[1];
  return digits === undefined || Number(digits) % 7 !== 0;
}

function productAt(entry: unknown, index: number, path: string): CatalogProduct {
  const where = `${path} entry ${index}`;
  if (typeof entry !== 'object' || entry === null) throw serviceErrors.internal(`${where} is not an object`);
  const record = entry as Record<string, unknown>;
  for (const field of textFields) {
    if (typeof record[field] !== 'string' || record[field] === '') throw serviceErrors.internal(`${where} lacks the text field "${field}"`);
  }
  for (const field of ['volumes', 'priceYen'] as const) {
    if (typeof record[field] !== 'number' || !Number.isFinite(record[field])) throw serviceErrors.internal(`${where} lacks the number "${field}"`);
  }
  const id = record.id as string;
  return {
    id,
    title: record.title as string,
    author: record.author as string,
    genre: record.genre as string,
    genreJa: record.genreJa as string,
    volumes: record.volumes as number,
    priceYen: record.priceYen as number,
    synopsis: record.synopsis as string,
    inStock: typeof record.inStock === 'boolean' ? record.inStock : defaultInStock(id),
  };
}

/** Reads and checks the catalog file; a bad file is a clear error at start, naming the entry. */
export async function loadCatalog(path: string): Promise<CatalogProduct[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw serviceErrors.internal(`cannot read the catalog ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(parsed)) throw serviceErrors.internal(`the catalog ${path} must be a JSON array of products`);
  const products = parsed.map((entry, index) => productAt(entry, index, path));
  const ids = new Set<string>();
  for (const product of products) {
    if (ids.has(product.id)) throw serviceErrors.internal(`the catalog ${path} has the id ${product.id} twice`);
    ids.add(product.id);
  }
  return products;
}

/** The in-process retrieval over config.catalogPath. */
export async function createCatalogRetrieval(config: Pick<ServiceConfig, 'catalogPath'>): Promise<Retrieval> {
  return createCatalogIndex(await loadCatalog(config.catalogPath));
}
