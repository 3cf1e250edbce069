import { describe, expect, it } from "vitest";
import { DEFAULT_DELIVERY_WINDOW_MS, deliveryWindowMs } from "../../../src/app/jobs/job.js";

describe("deliveryWindowMs (DELIVERY_DEDUP_WINDOW_MS)", () => {
  it.each([
    [undefined, DEFAULT_DELIVERY_WINDOW_MS],
    ["", DEFAULT_DELIVERY_WINDOW_MS],
    ["soon", DEFAULT_DELIVERY_WINDOW_MS],
    ["0", DEFAULT_DELIVERY_WINDOW_MS],
    ["-1000", DEFAULT_DELIVERY_WINDOW_MS],
    ["600000", 600_000],
    ["1500.2", 1501],
  ])("reads %j as %i ms", (raw, ms) => {
    expect(deliveryWindowMs(raw)).toBe(ms);
  });

  it("is an hour by default: a duplicate close behind its twin is caught, Redis holds rate × an hour of ids", () => {
    expect(DEFAULT_DELIVERY_WINDOW_MS).toBe(3600_000);
  });
});
