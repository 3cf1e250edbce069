/**
 * The one shape of everything the app writes (labels, milestones, gate issues,
 * comments, check runs, reports): compute what should exist, read what does,
 * and write only the difference. This file is the comparison; each resource
 * keeps its own rules in the `how` it passes, and `src/github` applies the
 * plan. An empty plan writes nothing, so a second pass over its own writes is free.
 */

/** How one kind of resource is compared. */
export interface Reconcile<D, A> {
  /** What names a wanted item; an item is the same resource as an existing one with an equal key. */
  desiredKey(desired: D): string;
  actualKey(actual: A): string;
  /** Whether the existing item already is what is wanted. Default: existing is enough (never updated). */
  same?(desired: D, actual: A): boolean;
  /** Whether an existing item nobody wants may be removed. Default: never (the app removes nothing it does not own). */
  removable?(actual: A): boolean;
}

/** A wanted item and the existing one it matched. */
export interface Match<D, A> {
  desired: D;
  actual: A;
}

export interface Plan<D, A> {
  /** Wanted, with nothing existing under its key; in the order wanted. */
  create: D[];
  /** Exists, but not as wanted. */
  update: Match<D, A>[];
  /** Exists, nobody wants it, and the resource's rules allow removing it; in the order read. */
  remove: A[];
  /** Exists exactly as wanted: nothing is written. */
  unchanged: Match<D, A>[];
}

/** GitHub compares label names, milestone titles and logins ignoring case; so do keys made with this. */
export function caseless(name: string): string {
  return name.toLowerCase();
}

/**
 * Compares `desired` with `actual`. The first item of either list under a
 * key counts; a later desired item with a taken key is dropped (the first
 * wins), a later existing one is treated as unwanted (removed only if `removable`).
 */
export function plan<D, A>(
  desired: readonly D[],
  actual: readonly A[],
  how: Reconcile<D, A>,
): Plan<D, A> {
  // key → index of the first existing item under it
  const first = new Map<string, number>();
  actual.forEach((a, i) => {
    const key = how.actualKey(a);
    if (!first.has(key)) first.set(key, i);
  });
  const result: Plan<D, A> = { create: [], update: [], remove: [], unchanged: [] };
  const matched = new Set<number>();
  const wanted = new Set<string>();
  for (const d of desired) {
    const key = how.desiredKey(d);
    if (wanted.has(key)) continue;
    wanted.add(key);
    const at = first.get(key);
    const a = at === undefined ? undefined : actual[at];
    if (at === undefined || a === undefined) {
      result.create.push(d);
      continue;
    }
    matched.add(at);
    if (how.same && !how.same(d, a)) result.update.push({ desired: d, actual: a });
    else result.unchanged.push({ desired: d, actual: a });
  }
  const removable = how.removable;
  if (removable) result.remove = actual.filter((a, i) => !matched.has(i) && removable(a));
  return result;
}

/** True when applying the plan would write nothing. */
export function nothingToWrite(p: Plan<unknown, unknown>): boolean {
  return p.create.length === 0 && p.update.length === 0 && p.remove.length === 0;
}
