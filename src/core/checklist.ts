import type { ChecklistProgress } from "./types.js";

// A GitHub task-list item: "- [ ] text", "* [x] text", "1. [X] text", indented or not.
const TASK_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*\S)\s*$/;

/** Task-list progress of a Markdown body. Items inside fenced code are not tasks. */
export function checklistProgress(body: string | null | undefined): ChecklistProgress {
  const progress: ChecklistProgress = { total: 0, checked: 0, unchecked: [] };
  if (!body) return progress;
  let fence: string | null = null;
  // GitHub renders no checkbox inside an HTML comment: a commented-out example criterion is not a task.
  const visible = body.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  for (const line of visible.split(/\r?\n/)) {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1]) {
      const marker = fenceMatch[1];
      // A fence closes only with the same character, at least as long, and nothing after it.
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = null;
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
