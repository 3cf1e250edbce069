import type { ChecklistProgress } from "./types.js";

// A GitHub task-list item: "- [ ] text", "* [x] text", "1. [X] text", indented or not.
const TASK_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*\S)\s*$/;

export interface TaskItem {
  text: string;
  checked: boolean;
}

/** The task-list items of a Markdown body as GitHub renders them: not inside fenced code or HTML comments. */
export function taskItems(body: string | null | undefined): TaskItem[] {
  const items: TaskItem[] = [];
  if (!body) return items;
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
    if (m) items.push({ text: m[2] ?? "", checked: m[1] !== " " });
  }
  return items;
}

/** Task-list progress of a Markdown body. Items inside fenced code are not tasks. */
export function checklistProgress(body: string | null | undefined): ChecklistProgress {
  const items = taskItems(body);
  return {
    total: items.length,
    checked: items.filter((i) => i.checked).length,
    unchecked: items.filter((i) => !i.checked).map((i) => i.text),
  };
}

const normalise = (text: string) => text.replace(/\s+/g, " ").trim().toLowerCase();

/**
 * The gate's criteria (SPEC §3): the configured `criteria` plus every task in
 * the body. A configured criterion missing from the body is unchecked, so
 * deleting its line from the issue cannot meet it.
 */
export function criteriaProgress(
  body: string | null | undefined,
  criteria: readonly string[],
): ChecklistProgress {
  const progress = checklistProgress(body);
  const present = new Set(taskItems(body).map((i) => normalise(i.text)));
  const missing = [...new Set(criteria.map(normalise))].flatMap((key) => {
    if (present.has(key)) return [];
    const original = criteria.find((c) => normalise(c) === key) ?? key;
    return [`${original} (missing from the issue)`];
  });
  return {
    total: progress.total + missing.length,
    checked: progress.checked,
    unchecked: [...progress.unchecked, ...missing],
  };
}
