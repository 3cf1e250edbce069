import { describe, expect, it } from "vitest";
import {
  caseless,
  nothingToWrite,
  type Plan,
  plan,
  type Reconcile,
} from "../../../src/core/reconcile.js";

interface Want {
  name: string;
  color: string;
}
interface Have {
  id: number;
  name: string;
  color: string;
}

const have = (id: number, name: string, color = "c0"): Have => ({ id, name, color });
const want = (name: string, color = "c0"): Want => ({ name, color });

/** Labels as GitHub has them: names ignoring case, colour compared, nothing removed. */
const labels: Reconcile<Want, Have> = {
  desiredKey: (d) => caseless(d.name),
  actualKey: (a) => caseless(a.name),
  same: (d, a) => d.color === a.color,
};
const removingAll: Reconcile<Want, Have> = { ...labels, removable: () => true };
const removingB: Reconcile<Want, Have> = { ...labels, removable: (a) => a.name.startsWith("b") };
const existenceOnly: Reconcile<Want, Have> = {
  desiredKey: (d) => caseless(d.name),
  actualKey: (a) => caseless(a.name),
};

const empty = { create: [], update: [], remove: [], unchanged: [] };

describe("plan", () => {
  it.each<[string, Want[], Have[], Reconcile<Want, Have>, Plan<Want, Have>]>([
    ["nothing wanted, nothing there", [], [], labels, empty],
    [
      "everything missing is created, in the order wanted",
      [want("b"), want("a")],
      [],
      labels,
      { ...empty, create: [want("b"), want("a")] },
    ],
    [
      "equal items are unchanged",
      [want("a")],
      [have(1, "a")],
      labels,
      { ...empty, unchanged: [{ desired: want("a"), actual: have(1, "a") }] },
    ],
    [
      "keys are compared as the resource says (here ignoring case)",
      [want("Phase: A")],
      [have(1, "phase: a")],
      labels,
      { ...empty, unchanged: [{ desired: want("Phase: A"), actual: have(1, "phase: a") }] },
    ],
    [
      "an item that differs is updated with what it matched",
      [want("a", "ff")],
      [have(1, "A", "00")],
      labels,
      { ...empty, update: [{ desired: want("a", "ff"), actual: have(1, "A", "00") }] },
    ],
    [
      "without `same`, existing is enough",
      [want("a", "ff")],
      [have(1, "a", "00")],
      existenceOnly,
      { ...empty, unchanged: [{ desired: want("a", "ff"), actual: have(1, "a", "00") }] },
    ],
    [
      "without `removable`, nothing unwanted is removed",
      [],
      [have(1, "a"), have(2, "b")],
      labels,
      empty,
    ],
    [
      "with `removable`, every unwanted item it allows goes, in the order read",
      [],
      [have(2, "b2"), have(1, "a"), have(3, "b1")],
      removingB,
      { ...empty, remove: [have(2, "b2"), have(3, "b1")] },
    ],
    [
      "a wanted item is never removed",
      [want("b")],
      [have(1, "B")],
      removingAll,
      { ...empty, unchanged: [{ desired: want("b"), actual: have(1, "B") }] },
    ],
    [
      "create, update, remove and unchanged together",
      [want("a"), want("b", "ff"), want("c")],
      [have(1, "c"), have(2, "b"), have(3, "d")],
      removingAll,
      {
        create: [want("a")],
        update: [{ desired: want("b", "ff"), actual: have(2, "b") }],
        remove: [have(3, "d")],
        unchanged: [{ desired: want("c"), actual: have(1, "c") }],
      },
    ],
    [
      "a second wanted item under a taken key is dropped: the first wins",
      [want("a", "ff"), want("A", "00")],
      [],
      labels,
      { ...empty, create: [want("a", "ff")] },
    ],
    [
      "the first existing item under a key is the match",
      [want("a", "ff")],
      [have(1, "a", "00"), have(2, "A", "ff")],
      labels,
      { ...empty, update: [{ desired: want("a", "ff"), actual: have(1, "a", "00") }] },
    ],
    [
      "a later existing copy under a wanted key is unwanted: removed when allowed",
      [want("a")],
      [have(1, "a"), have(2, "A")],
      removingAll,
      {
        ...empty,
        remove: [have(2, "A")],
        unchanged: [{ desired: want("a"), actual: have(1, "a") }],
      },
    ],
    [
      "a later existing copy is left alone when removing is not allowed",
      [want("a")],
      [have(1, "a"), have(2, "A")],
      labels,
      { ...empty, unchanged: [{ desired: want("a"), actual: have(1, "a") }] },
    ],
  ])("%s", (_name, desired, actual, how, expected) => {
    expect(plan(desired, actual, how)).toEqual(expected);
  });

  it("matches equal primitives by position, not value", () => {
    const names: Reconcile<string, string> = {
      desiredKey: caseless,
      actualKey: caseless,
      removable: () => true,
    };
    expect(plan(["a"], ["a", "A", "a"], names)).toEqual({
      ...empty,
      remove: ["A", "a"],
      unchanged: [{ desired: "a", actual: "a" }],
    });
  });

  it.each<[string, Want[], Have[], Reconcile<Want, Have>]>([
    ["a fresh repository", [want("a"), want("b", "ff")], [], labels],
    ["drift", [want("a", "ff")], [have(1, "A", "00")], labels],
    ["unwanted items", [want("a")], [have(1, "a"), have(2, "z"), have(3, "A")], removingAll],
  ])("plans nothing once its own plan is applied (%s)", (_name, desired, actual, how) => {
    const first = plan(desired, actual, how);
    expect(nothingToWrite(first)).toBe(false);
    let id = 100;
    const after: Have[] = [
      ...actual
        .filter((a) => !first.remove.includes(a))
        .map((a) => {
          const u = first.update.find((m) => m.actual === a);
          return u ? { ...a, color: u.desired.color } : a;
        }),
      ...first.create.map((d) => have(id++, d.name, d.color)),
    ];
    expect(nothingToWrite(plan(desired, after, how))).toBe(true);
  });
});

describe("nothingToWrite", () => {
  const match = { desired: want("a"), actual: have(1, "a") };
  it.each<[string, Plan<Want, Have>, boolean]>([
    ["an empty plan", empty, true],
    ["only unchanged items", { ...empty, unchanged: [match] }, true],
    ["a create", { ...empty, create: [want("a")] }, false],
    ["an update", { ...empty, update: [match] }, false],
    ["a remove", { ...empty, remove: [have(1, "a")] }, false],
  ])("%s → %s", (_name, p, expected) => {
    expect(nothingToWrite(p)).toBe(expected);
  });
});
