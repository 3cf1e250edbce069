import { DEV, type World } from "./world.js";

export type MixKind = "label" | "push" | "body";

/**
 * The event mix of issue #12, one event per call, on PRs picked by a seeded
 * generator (the same sequence every run): 1 in 20 a push (synchronize with a
 * new head SHA), 10 in 20 an unrelated label added or removed, 9 in 20 a body
 * edit that names no issue (no phase change). Only pushes need work from a
 * correct app: a check on the new head.
 */
export function createMix(world: World, prs: readonly number[], seed = 12) {
  const { emu, actors } = world;
  let random = seed;
  const next = (): number => {
    // Park–Miller: reproducible, good enough to spread events over PRs.
    random = (random * 48271) % 2147483647;
    return random;
  };
  const hasNoise = new Set<number>();
  const pushed = new Set<number>();
  const counts: Record<MixKind, number> = { label: 0, push: 0, body: 0 };
  const dev = emu.state.user(DEV);
  return {
    counts,
    /** PRs that got a new head: each needs one check written on it. */
    pushed,
    act(i: number): void {
      const pr = prs[next() % prs.length] ?? prs[0] ?? 0;
      const slot = i % 20;
      const repo = actors.repo();
      if (slot === 0) {
        emu.state.pushToPull(repo, pr, dev);
        pushed.add(pr);
        counts.push += 1;
      } else if (slot <= 10) {
        if (hasNoise.has(pr)) {
          emu.state.removeLabel(repo, pr, "noise", dev);
          hasNoise.delete(pr);
        } else {
          emu.state.addLabels(repo, pr, ["noise"], dev);
          hasNoise.add(pr);
        }
        counts.label += 1;
      } else {
        emu.state.updateIssue(repo, pr, { body: `Scale-out work, notes rev ${i}.` }, dev);
        counts.body += 1;
      }
    },
  };
}
