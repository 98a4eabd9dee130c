import type { MemoryRecord } from "./memory-record.js";

/**
 * Hybrid search scoring, deterministic and local (api.md §3.5): BM25 over the candidate memories, a
 * "semantic" similarity from bag-of-concepts vectors (words, light stems, a small synonym table and
 * character trigrams), and an entity boost when the query names an entity the memory carries.
 */

const STOPWORDS = new Set(
  "a an and are as at be but by did do does for from has have how i in is it its me my of on or our she he her his that the their them they this to was we what when where which who why will with you your user about".split(
    " ",
  ),
);

/** Words that mean roughly the same thing map to one concept, so "food" finds "pizza". */
const CONCEPTS: Record<string, string[]> = {
  food: [
    "food",
    "eat",
    "eating",
    "pizza",
    "pasta",
    "sushi",
    "meal",
    "dinner",
    "lunch",
    "breakfast",
    "cuisine",
    "restaurant",
    "vegetarian",
    "vegan",
    "cook",
    "cooking",
    "dish",
    "snack",
    "diet",
  ],
  drink: ["drink", "coffee", "tea", "beer", "wine", "juice"],
  travel: [
    "travel",
    "trip",
    "flight",
    "fly",
    "visit",
    "vacation",
    "holiday",
    "hotel",
    "journey",
    "abroad",
    "destination",
  ],
  work: [
    "work",
    "job",
    "career",
    "employer",
    "company",
    "office",
    "engineer",
    "developer",
    "profession",
    "occupation",
  ],
  music: [
    "music",
    "song",
    "band",
    "guitar",
    "piano",
    "violin",
    "viola",
    "cello",
    "drum",
    "orchestra",
    "concert",
    "album",
    "listen",
    "jazz",
    "rock",
  ],
  sport: [
    "sport",
    "football",
    "soccer",
    "tennis",
    "basketball",
    "run",
    "running",
    "marathon",
    "gym",
    "exercise",
    "workout",
    "swim",
    "cycling",
    "yoga",
  ],
  family: [
    "family",
    "wife",
    "husband",
    "son",
    "daughter",
    "child",
    "kid",
    "mother",
    "father",
    "parent",
    "sister",
    "brother",
  ],
  pet: [
    "pet",
    "dog",
    "cat",
    "puppy",
    "kitten",
    "retriever",
    "labrador",
    "poodle",
    "terrier",
    "bulldog",
    "hamster",
    "parrot",
  ],
  health: ["health", "doctor", "allergy", "allergic", "medication", "sick", "illness", "symptom"],
  home: ["live", "home", "house", "apartment", "city", "move", "moved"],
  like: ["like", "love", "enjoy", "prefer", "favorite", "favourite", "fond"],
  dislike: ["hate", "dislike", "avoid"],
  name: ["name", "called"],
};

const CONCEPT_OF = new Map<string, string>();
for (const [concept, words] of Object.entries(CONCEPTS))
  for (const word of words) CONCEPT_OF.set(word, concept);

/** Lowercase, split on non-alphanumerics, drop stopwords, strip plural/verb endings. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0 && !STOPWORDS.has(t))
    .map(stem);
}

function stem(token: string): string {
  if (token.length > 4 && token.endsWith("ies")) return `${token.slice(0, -3)}y`;
  if (token.length > 5 && token.endsWith("ing")) return undouble(token.slice(0, -3));
  if (token.length > 4 && token.endsWith("es") && /(s|x|z|ch|sh)es$/.test(token)) return token.slice(0, -2);
  if (token.length > 3 && token.endsWith("s") && !token.endsWith("ss")) return token.slice(0, -1);
  return token;
}

/** "runn" -> "run", "swimm" -> "swim" (after stripping -ing). */
function undouble(stemmed: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(stemmed) && !/(ll|ss|zz)$/.test(stemmed)
    ? stemmed.slice(0, -1)
    : stemmed;
}

function conceptOf(token: string): string | undefined {
  return CONCEPT_OF.get(token) ?? CONCEPT_OF.get(`${token}e`) ?? CONCEPT_OF.get(`${token}s`);
}

/** Sparse feature vector: words (weight 1), concepts (1.5), character trigrams (0.15). */
function vectorOf(tokens: string[]): Map<string, number> {
  const vector = new Map<string, number>();
  const add = (key: string, weight: number): void => {
    vector.set(key, (vector.get(key) ?? 0) + weight);
  };
  for (const token of tokens) {
    add(`w:${token}`, 1);
    const concept = conceptOf(token);
    if (concept) add(`c:${concept}`, 1.5);
    const padded = ` ${token} `;
    for (let i = 0; i + 3 <= padded.length; i += 1) add(`t:${padded.slice(i, i + 3)}`, 0.15);
  }
  return vector;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (const [key, value] of a) {
    normA += value * value;
    const other = b.get(key);
    if (other !== undefined) dot += value * other;
  }
  for (const value of b.values()) normB += value * value;
  if (normA === 0 || normB === 0) return 0;
  return dot / Math.sqrt(normA * normB);
}

/** One scored memory. */
export interface ScoredMemory {
  record: MemoryRecord;
  score: number;
  breakdown: { semantic: number; bm25: number; entity: number };
}

const K1 = 1.2;
const B = 0.75;

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Query words that look like names: capitalized words not at the start of the query, and quoted words. */
function queryEntities(query: string): string[] {
  const words = query.split(/\s+/).map((w) => w.replace(/[^A-Za-z0-9_-]/g, ""));
  return words.filter((w, i) => i > 0 && /^[A-Z][a-zA-Z0-9_-]+$/.test(w)).map((w) => w.toLowerCase());
}

function entityScore(record: MemoryRecord, query: string, queryTokens: Set<string>): number {
  const names = new Set(queryEntities(query));
  const ids = [record.userId, record.agentId, record.appId, record.runId].filter(
    (v): v is string => v !== null,
  );
  for (const id of ids) if (queryTokens.has(id.toLowerCase())) names.add(id.toLowerCase());
  if (names.size === 0) return 0;
  const haystack = `${record.memory} ${ids.join(" ")}`.toLowerCase();
  let found = 0;
  for (const name of names) if (haystack.includes(name)) found += 1;
  return found / names.size;
}

/** Scores every candidate against the query; fused score in [0,1], highest first, ties by recency. */
export function scoreMemories(query: string, candidates: MemoryRecord[]): ScoredMemory[] {
  // Entity ids named in the query feed the entity signal only; the filter already scopes by them, and
  // letting them count as keywords would favour whichever fact happens to repeat the name.
  const entityIds = new Set(
    candidates
      .flatMap((r) => [r.userId, r.agentId, r.appId, r.runId])
      .filter((v): v is string => v !== null)
      .map((v) => v.toLowerCase()),
  );
  const queryTokens = tokenize(query).filter((t) => !entityIds.has(t));
  const querySet = new Set(queryTokens);
  const rawQueryWords = new Set(
    query
      .toLowerCase()
      .split(/[^a-z0-9_-]+/)
      .filter(Boolean),
  );
  const docs = candidates.map((record) => tokenize(record.memory));
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, docs.length);
  const documentFrequency = new Map<string, number>();
  for (const doc of docs)
    for (const token of new Set(doc)) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  const queryVector = vectorOf(queryTokens);

  const scored = candidates.map((record, index): ScoredMemory => {
    const doc = docs[index]!;
    let bm25 = 0;
    for (const term of querySet) {
      const tf = doc.filter((t) => t === term).length;
      if (tf === 0) continue;
      const df = documentFrequency.get(term) ?? 0;
      const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
      bm25 += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / Math.max(1, avgLength)));
    }
    // Saturate the unbounded BM25 sum into [0,1).
    const bm25Normalized = bm25 / (bm25 + 1.5);
    const semantic = cosine(queryVector, vectorOf(doc));
    const entity = entityScore(record, query, rawQueryWords);
    const fused =
      entity > 0
        ? 0.55 * semantic + 0.3 * bm25Normalized + 0.15 * entity
        : 0.65 * semantic + 0.35 * bm25Normalized;
    return {
      record,
      score: round(Math.min(1, Math.max(0, fused))),
      breakdown: { semantic: round(semantic), bm25: round(bm25Normalized), entity: round(entity) },
    };
  });
  return scored.sort(
    (a, b) =>
      b.score - a.score ||
      b.record.createdAt.getTime() - a.record.createdAt.getTime() ||
      (a.record.id < b.record.id ? -1 : 1),
  );
}
