/**
 * A small deterministic stand-in for Mem0's LLM extraction: it splits messages into sentences, keeps the
 * statements (not questions, greetings or fillers) and rewrites first-person phrasing into third person,
 * so "I'm vegetarian and I love Rome." becomes "Is vegetarian and loves Rome"-style facts.
 */

/** A fact taken from one message, with who said it. */
export interface ExtractedFact {
  text: string;
  speaker: "user" | "assistant";
}

/** A chat message as add receives it. */
export interface AddMessage {
  role: string;
  content: unknown;
}

/** Mem0's default categories (api.md §6.10) with the words that put a fact in each. */
const CATEGORY_WORDS: Record<string, string[]> = {
  personal_details: ["name", "age", "born", "birthday", "live", "lives", "living", "from", "years"],
  family: [
    "wife",
    "husband",
    "son",
    "daughter",
    "mother",
    "father",
    "mom",
    "dad",
    "sister",
    "brother",
    "family",
    "kids",
    "children",
    "parents",
  ],
  professional_details: [
    "work",
    "works",
    "job",
    "engineer",
    "company",
    "career",
    "manager",
    "office",
    "developer",
    "profession",
  ],
  sports: [
    "football",
    "soccer",
    "tennis",
    "basketball",
    "running",
    "run",
    "marathon",
    "gym",
    "swim",
    "swimming",
    "cycling",
    "yoga",
    "sport",
    "sports",
  ],
  travel: [
    "travel",
    "trip",
    "flight",
    "visit",
    "visiting",
    "vacation",
    "hotel",
    "paris",
    "rome",
    "tokyo",
    "london",
    "abroad",
  ],
  food: [
    "food",
    "eat",
    "eats",
    "pizza",
    "pasta",
    "sushi",
    "vegetarian",
    "vegan",
    "cook",
    "cooking",
    "coffee",
    "tea",
    "restaurant",
    "dinner",
    "lunch",
    "breakfast",
    "allergic",
    "meal",
  ],
  music: [
    "music",
    "song",
    "songs",
    "guitar",
    "piano",
    "violin",
    "viola",
    "cello",
    "drums",
    "orchestra",
    "choir",
    "band",
    "concert",
    "jazz",
    "rock",
    "sing",
  ],
  health: [
    "health",
    "doctor",
    "allergy",
    "allergic",
    "medication",
    "sleep",
    "diet",
    "exercise",
    "sick",
    "pain",
  ],
  technology: [
    "software",
    "computer",
    "programming",
    "code",
    "coding",
    "python",
    "typescript",
    "javascript",
    "laptop",
    "phone",
    "ai",
    "app",
  ],
  hobbies: [
    "hobby",
    "hobbies",
    "reading",
    "books",
    "painting",
    "photography",
    "gardening",
    "chess",
    "gaming",
    "hiking",
  ],
  fashion: ["clothes", "fashion", "dress", "shoes", "style", "wear", "wears"],
  entertainment: ["movie", "movies", "film", "series", "show", "tv", "netflix", "games", "watch", "watching"],
  milestones: ["graduated", "married", "promoted", "anniversary", "retired", "moved", "milestone"],
  user_preferences: [
    "prefer",
    "prefers",
    "like",
    "likes",
    "love",
    "loves",
    "favorite",
    "favourite",
    "enjoy",
    "enjoys",
    "hate",
    "hates",
    "dislike",
    "dislikes",
  ],
};

const FILLERS =
  /^(hi|hello|hey|thanks|thank you|ok|okay|sure|great|yes|no|bye|goodbye|cool|nice)\b[\s,!.]*$/i;

/** Pulls facts out of a conversation; system messages are ignored. */
export function extractFacts(messages: AddMessage[]): ExtractedFact[] {
  const facts: ExtractedFact[] = [];
  for (const message of messages) {
    if (message.role !== "user" && message.role !== "assistant") continue;
    if (typeof message.content !== "string") continue;
    for (const sentence of splitSentences(message.content)) {
      const fact = toFact(sentence, message.role);
      if (fact) facts.push({ text: fact, speaker: message.role });
    }
  }
  return facts;
}

/** Sentences, and first-person clauses within them ("I'm vegetarian and I love Rome" is two facts). */
function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+|\n+/)
    .flatMap((sentence) =>
      sentence.trim().endsWith("?") ? [sentence] : sentence.split(/,?\s+(?:and|but)\s+(?=I\b|I'm\b|my\b)/i),
    )
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function toFact(sentence: string, role: "user" | "assistant"): string | null {
  if (sentence.endsWith("?") || FILLERS.test(sentence)) return null;
  let text = sentence.replace(/[.!;]+$/, "").trim();
  text = text.replace(/^(well|so|also|and|but|actually|btw),?\s+/i, "");
  if (role === "user") text = thirdPerson(text);
  if (text.split(/\s+/).length < 2) return null;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "I'm a chef" -> "Is a chef", "My name is Ana" -> "Name is Ana", "I love X" -> "Loves X". */
function thirdPerson(text: string): string {
  return text
    .replace(/^I'm\b/i, "is")
    .replace(/^I am\b/i, "is")
    .replace(/^I've\b/i, "has")
    .replace(/^I have\b/i, "has")
    .replace(/^My\s+/i, "")
    .replace(/^I\s+(\w+)/i, (_m, verb: string) => conjugate(verb))
    .replace(/\bmy\b/gi, "their")
    .replace(/\bI'm\b/g, "they are")
    .replace(/\bI\b/g, "they");
}

function conjugate(verb: string): string {
  const lower = verb.toLowerCase();
  if (
    [
      "can",
      "will",
      "would",
      "should",
      "could",
      "might",
      "must",
      "don't",
      "didn't",
      "was",
      "never",
      "always",
      "also",
      "really",
    ].includes(lower)
  )
    return lower;
  if (/(s|sh|ch|x|z|o)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** Picks categories for a fact: custom ones when given (they replace the defaults), else the defaults. */
export function categorize(text: string, custom: Record<string, string>[] | null): string[] {
  const words = new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
  if (custom && custom.length > 0) {
    const picked: string[] = [];
    for (const entry of custom) {
      for (const [name, description] of Object.entries(entry)) {
        const cues = `${name} ${description}`
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter((w) => w.length > 3);
        if (cues.some((cue) => words.has(cue))) picked.push(name);
      }
    }
    return picked;
  }
  const picked = Object.entries(CATEGORY_WORDS)
    .filter(([, cues]) => cues.some((cue) => words.has(cue)))
    .map(([name]) => name);
  return picked.length > 0 ? picked : ["misc"];
}
