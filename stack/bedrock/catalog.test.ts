import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogJson, catalogPath, generateCatalog } from '../../scripts/generate-catalog.js';
import { findTitle, genres, loadCatalog } from './catalog.js';

// A sample of real, well-known titles: the fixture must be fictional.
const realTitles = [
  'ONE PIECE', '進撃の巨人', '鬼滅の刃', '呪術廻戦', '名探偵コナン', 'ドラゴンボール', 'NARUTO', 'SLAM DUNK',
  'ハイキュー!!', '深夜食堂', '美味しんぼ', '転生したらスライムだった件', 'ヴィンランド・サガ', 'ベルセルク',
  '僕のヒーローアカデミア', 'ちはやふる', 'フルーツバスケット', 'デスノート', '寄生獣', '君に届け',
];

describe('the manga catalog fixture', () => {
  it('is exactly what scripts/generate-catalog.ts makes (run `npx tsx scripts/generate-catalog.ts` if not)', () => {
    expect(readFileSync(catalogPath, 'utf8')).toBe(catalogJson(generateCatalog()));
  });

  it('is deterministic per seed and changes with the seed', () => {
    expect(generateCatalog(5)).toEqual(generateCatalog(5));
    expect(generateCatalog(5)).not.toEqual(generateCatalog(6));
  });

  it('holds about 200 titles with unique ids and titles, 20 in each of the ten genres', () => {
    const catalog = loadCatalog();
    expect(catalog).toHaveLength(200);
    expect(new Set(catalog.map((entry) => entry.id)).size).toBe(200);
    expect(new Set(catalog.map((entry) => entry.title)).size).toBe(200);
    expect(genres.map((genre) => genre.ja)).toEqual(['ホラー', '少年', '少女', '青年', '異世界', 'スポーツ', '料理', 'ミステリー', 'SF', '恋愛']);
    for (const genre of genres) {
      expect(catalog.filter((entry) => entry.genre === genre.key && entry.genreJa === genre.ja)).toHaveLength(20);
    }
  });

  it('has complete, plausible entries', () => {
    for (const entry of loadCatalog()) {
      expect(entry.title.length).toBeGreaterThan(2);
      expect(entry.author.length).toBeGreaterThan(1);
      expect(entry.volumes).toBeGreaterThanOrEqual(1);
      expect(entry.priceYen).toBeGreaterThan(400);
      expect(entry.synopsis).toMatch(/。$/);
    }
  });

  it('includes titles with emoji, a ZWJ sequence and astral kanji for the JP payload incident', () => {
    const titles = loadCatalog().map((entry) => entry.title);
    expect(titles).toContain('𠮷祥寺ゾンビ商店街');
    expect(titles.filter((title) => /\p{Extended_Pictographic}/u.test(title)).length).toBeGreaterThanOrEqual(5);
    expect(titles.some((title) => title.includes('\u200d'))).toBe(true);
    expect(loadCatalog().some((entry) => entry.author.includes('𠮷'))).toBe(true);
  });

  it('uses no real title, and no title or synopsis that reads as an ordinal reference', () => {
    for (const { title, synopsis } of loadCatalog()) {
      expect(realTitles).not.toContain(title);
      expect(`${title} ${synopsis}`).not.toMatch(/最初|最後|番目|つ目|その作品/);
    }
  });

  it('is read once and found by exact title', () => {
    expect(loadCatalog()).toBe(loadCatalog());
    expect(findTitle(' 𠮷祥寺ゾンビ商店街 ')?.genreJa).toBe('ホラー');
    expect(findTitle('進撃の巨人')).toBeUndefined();
  });
});
