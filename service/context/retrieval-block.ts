import type { CatalogProduct, Retrieval } from '../retrieval/types.js';
import { estimateTokens } from './token-estimate.js';

export interface RetrievalBlock { text: string; productIds: string[] }

function yen(amount: number): string {
  return `¥${Math.round(amount).toLocaleString('en-US')}`;
}

/** `『title』（author, genre, 全N巻, ¥price, 在庫あり）`: one product, one line. */
export function productLine(product: CatalogProduct): string {
  return `『${product.title}』（${product.author}, ${product.genreJa}, 全${product.volumes}巻, ${yen(product.priceYen)}, `
    + `${product.inStock ? '在庫あり' : '在庫なし'}）`;
}

const header = '[商品情報]';

/** Hardened: the top `size` products whose lines fit in budgetTokens, best first. */
export async function budgetedRetrieval(retrieval: Retrieval, question: string, size: number,
  budgetTokens: number): Promise<RetrievalBlock> {
  const { hits } = await retrieval.search({ query: { match: { text: question } }, size });
  const lines: string[] = [];
  const productIds: string[] = [];
  let used = estimateTokens(header);
  for (const hit of hits.hits) {
    const line = productLine(hit._source);
    const cost = estimateTokens(line) + 1;
    if (used + cost > budgetTokens) break;
    used += cost;
    lines.push(line);
    productIds.push(hit._id);
  }
  return { text: lines.length > 0 ? `${header}\n${lines.join('\n')}` : '', productIds };
}

/**
 * Naive (seed 000 s1's original orchestrator): the top ten chunks, synopsis included, with
 * no budget; it is kept in the user's turn, so every turn adds it to the history again.
 */
export const naiveRetrievalSize = 10;

export async function unbudgetedRetrieval(retrieval: Retrieval, question: string): Promise<RetrievalBlock> {
  const { hits } = await retrieval.search({ query: { match: { text: question } }, size: naiveRetrievalSize });
  const chunks = hits.hits.map((hit, index) => `[Catalog ${index + 1}]\n${productLine(hit._source)}\nあらすじ: ${hit._source.synopsis}`);
  return { text: chunks.length > 0 ? `${header}\n${chunks.join('\n\n')}` : '', productIds: hits.hits.map((hit) => hit._id) };
}
