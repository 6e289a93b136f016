export interface CatalogProduct {
  id: string;
  title: string;
  author: string;
  genre: string;
  genreJa: string;
  volumes: number;
  priceYen: number;
  synopsis: string;
  inStock: boolean;
}

/** OpenSearch-shaped, so the in-process index can be swapped for OpenSearch Serverless. */
export interface SearchBody {
  query: { match: { text: string } };
  size: number;
}

export interface SearchResponse {
  hits: { hits: Array<{ _id: string; _score: number; _source: CatalogProduct }> };
}

export interface Retrieval {
  search(body: SearchBody): Promise<SearchResponse>;
  /** Products change (price, stock): the response cache listens to this. */
  updateProduct(id: string, change: Partial<Omit<CatalogProduct, 'id'>>): CatalogProduct | null;
  onProductChange(listener: (product: CatalogProduct) => void): void;
}
