import { readFileSync } from 'node:fs';

/** One fictional title of the store's catalog (fixtures/manga-catalog.json). */
export interface MangaTitle {
  id: string;
  title: string;
  titleKana?: string;
  author: string;
  genre: string;
  genreJa: string;
  volumes: number;
  priceYen: number;
  synopsis: string;
}

export interface Genre {
  key: string;
  ja: string;
  /** Words in a question that ask for this genre. */
  words: ReadonlyArray<string>;
}

export const genres: ReadonlyArray<Genre> = [
  { key: 'horror', ja: 'ホラー', words: ['ホラー', '怖い', 'こわい', '怪談', 'horror', 'scary'] },
  { key: 'shonen', ja: '少年', words: ['少年', 'バトル', 'shonen', 'shounen', 'battle'] },
  { key: 'shojo', ja: '少女', words: ['少女', 'shojo', 'shoujo'] },
  { key: 'seinen', ja: '青年', words: ['青年', '大人向け', 'seinen'] },
  { key: 'isekai', ja: '異世界', words: ['異世界', '転生', 'isekai'] },
  { key: 'sports', ja: 'スポーツ', words: ['スポーツ', '部活', 'sports', 'sport'] },
  { key: 'cooking', ja: '料理', words: ['料理', 'グルメ', 'ごはん', 'cooking', 'food', 'gourmet'] },
  { key: 'mystery', ja: 'ミステリー', words: ['ミステリー', 'ミステリ', '推理', '探偵', 'mystery', 'detective'] },
  { key: 'sf', ja: 'SF', words: ['SF', 'ＳＦ', '宇宙', 'sci-fi', 'science fiction'] },
  { key: 'romance', ja: '恋愛', words: ['恋愛', 'ラブコメ', '恋', 'romance', 'love'] },
];

const catalogUrl = new URL('../../fixtures/manga-catalog.json', import.meta.url);
let cached: ReadonlyArray<MangaTitle> | undefined;
let byTitle: ReadonlyMap<string, MangaTitle> | undefined;

/** The catalog fixture, read once per process. */
export function loadCatalog(): ReadonlyArray<MangaTitle> {
  cached ??= Object.freeze(JSON.parse(readFileSync(catalogUrl, 'utf8')) as MangaTitle[]);
  return cached;
}

/** The catalog entry with exactly this title (surrounding spaces ignored). */
export function findTitle(title: string): MangaTitle | undefined {
  byTitle ??= new Map(loadCatalog().map((entry) => [entry.title, entry]));
  return byTitle.get(title.trim());
}
