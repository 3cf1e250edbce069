import type { ChecklistProgress } from "./types.js";

// A GitHub task-list item: "- [ ] text", "* [x] text", "1. [X] text", indented or not.
const TASK_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*\S)\s*$/;

/** Task-list progress of a Markdown body. Items inside fenced code are not tasks. */
export function checklistProgress(body: string | null | undefined): ChecklistProgress {
  const progress: ChecklistProgress = { total: 0, checked: 0, unchecked: [] };
  if (!body) return progress;
  let fence: string | null = null;
  for (const line of body.split(/\r?\n/)) {
    const fenceMatch = /^\s*(```|~~~)/.exec(line);
    if (fenceMatch?.[1]) {
      if (fence === null) fence = fenceMatch[1];
      else if (fence === fenceMatch[1]) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const m = TASK_ITEM.exec(line);
    if (!m) continue;
    progress.total += 1;
    if (m[1] === " ") progress.unchecked.push(m[2] ?? "");
    else progress.checked += 1;
  }
  return progress;
}
