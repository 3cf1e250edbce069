/** What the well-known phases prove, and the question each answers (custom phases have none). */
const MEANINGS: Readonly<Record<string, { proves: string; question?: string }>> = {
  crawl: { proves: "proves feasibility", question: "can this be done at all?" },
  walk: { proves: "proves value", question: "does it help the people it is for?" },
  run: { proves: "scales what was proven" },
};

/** Short meaning, for label and milestone descriptions: "proves value". */
export function phaseMeaning(id: string): string | null {
  return MEANINGS[id]?.proves ?? null;
}

/** Meaning with its question, for the gate issue: "proves value: does it help the people it is for?". */
export function phaseMeaningWithQuestion(id: string): string | null {
  const meaning = MEANINGS[id];
  if (!meaning) return null;
  return meaning.question ? `${meaning.proves}: ${meaning.question}` : meaning.proves;
}
