import { describe, expect, it } from "vitest";
import { enterpriseApiUrl } from "../../../src/cli/connect.js";

describe("enterpriseApiUrl", () => {
  it.each([
    ["https://ghe.example.com", "https://ghe.example.com/api/v3"],
    ["https://ghe.example.com/", "https://ghe.example.com/api/v3"],
    ["http://127.0.0.1:3001", "http://127.0.0.1:3001/api/v3"],
    ["https://ghe.example.com/api/v3", null],
    ["https://proxy.example.com/github", null],
    ["https://api.github.com", null],
  ])("%s → %s", (given, expected) => {
    expect(enterpriseApiUrl(given)).toBe(expected);
  });
});
