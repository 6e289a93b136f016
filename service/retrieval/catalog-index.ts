import type { CatalogProduct, Retrieval, SearchBody, SearchResponse } from './types.js';

/**
 * An in-process stand-in for the store's OpenSearch index. Japanese has no spaces, so text is
 * cut into character bigrams (the CJK analyser's approach); Latin words are kept whole. A
 * product scores, per distinct query term it contains, the term's idf times the weight of the
 * best field holding it. Ties go to the lower id, so answers are deterministic.
 */
const fieldWeights: ReadonlyArray<[keyof CatalogProduct, number]> = [
  ['title', 3], ['genreJa', 2], ['genre', 2], ['author', 2], ['synopsis', 1],
];
const maxQueryChars = 2_000;
const maxSize = 100;

const separator = /[\s\p{P}\p{S}]+/u;
const latinWord = /^[a-z0-9]+$/;
// Hiragana-only pieces are particles and verb endings (を教, おす, すめ): in every synopsis, they only add noise.
const hiraganaOnly = /^[\u3040-\u309f]+$/;

function scriptOf(char: string): number {
  if (/[\u3040-\u309f]/.test(char)) return 1;
  if (/[\u30a0-\u30ff]/.test(char)) return 2;
  if (/[\u3400-\u9fff\uf900-\ufaff]|[\ud840-\ud8bf]/.test(char)) return 3;
  return 4;
}

/**
 * Distinct terms of text: whole Latin words; bigrams of everything else (not hiragana-only);
 * and each same-script stretch longer than a bigram as a word of its own, so ホラー
 * outranks a title that merely shares ラー.
 */
export function termsOf(text: string): Set<string> {
  const terms = new Set<string>();
  for (const run of text.normalize('NFKC').toLowerCase().split(separator)) {
    if (run.length === 0) continue;
    if (latinWord.test(run)) {
      terms.add(run);
      continue;
    }
    const chars = Array.from(run);
    const add = (term: string) => { if (!hiraganaOnly.test(term)) terms.add(term); };
    if (chars.length === 1) add(run);
    for (let i = 0; i + 1 < chars.length; i += 1) add(`${chars[i]}${chars[i + 1]}`);
    let wordStart = 0;
    for (let i = 1; i <= chars.length; i += 1) {
      if (i < chars.length && scriptOf(chars[i] as string) === scriptOf(chars[wordStart] as string)) continue;
      if (i - wordStart > 2) add(chars.slice(wordStart, i).join(''));
      wordStart = i;
    }
  }
  return terms;
}

interface Posting { doc: number; weight: number }

function buildPostings(products: ReadonlyArray<CatalogProduct>): Map<string, Posting[]> {
  const postings = new Map<string, Posting[]>();
  products.forEach((product, doc) => {
    const best = new Map<string, number>();
    for (const [field, weight] of fieldWeights) {
      for (const term of termsOf(String(product[field]))) best.set(term, Math.max(best.get(term) ?? 0, weight));
    }
    for (const [term, weight] of best) {
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push({ doc, weight });
    }
  });
  return postings;
}

export interface CatalogIndex extends Retrieval {
  /** Every product, as it is now. */
  products(): ReadonlyArray<CatalogProduct>;
}

export function createCatalogIndex(initial: ReadonlyArray<CatalogProduct>): CatalogIndex {
  const products = initial.map((product) => ({ ...product }));
  const byId = new Map(products.map((product, doc) => [product.id, doc]));
  let postings = buildPostings(products);
  const listeners: Array<(product: CatalogProduct) => void> = [];

  return {
    async search(body: SearchBody): Promise<SearchResponse> {
      const size = Math.max(0, Math.min(maxSize, Math.floor(body.size)));
      const scores = new Map<number, number>();
      for (const term of termsOf(body.query.match.text.slice(0, maxQueryChars))) {
        const list = postings.get(term);
        if (!list) continue;
        const idf = Math.log(1 + products.length / list.length);
        for (const { doc, weight } of list) scores.set(doc, (scores.get(doc) ?? 0) + idf * weight);
      }
      const ranked = [...scores].sort(([docA, a], [docB, b]) => b - a
        || (products[docA]?.id ?? '').localeCompare(products[docB]?.id ?? ''));
      return {
        hits: {
          hits: ranked.slice(0, size).map(([doc, score]) => {
            const product = products[doc] as CatalogProduct;
            return { _id: product.id, _score: Math.round(score * 1_000) / 1_000, _source: { ...product } };
          }),
        },
      };
    },

    updateProduct(id, change) {
      const doc = byId.get(id);
      if (doc === undefined) return null;
      const updated: CatalogProduct = { ...(products[doc] as CatalogProduct), ...change, id };
      products[doc] = updated;
      // 200 products rebuild in about a millisecond; price and stock changes are rare.
      postings = buildPostings(products);
      for (const listener of listeners) listener({ ...updated });
      return { ...updated };
    },

    onProductChange(listener) {
      listeners.push(listener);
    },

    products: () => products.map((product) => ({ ...product })),
  };
}
