import { afterEach, describe, expect, it, vi } from "vitest";
import { repoWebUrl } from "../../../src/github/dashboard.js";

const REPO = { owner: "acme", repo: "rocket" };

describe("repoWebUrl", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    [["https://github.com/acme/rocket/issues/1"], "https://github.com/acme/rocket"],
    [["http://127.0.0.1:4000/acme/rocket/milestone/2"], "http://127.0.0.1:4000/acme/rocket"],
    [["https://ghe.example.com/Acme/Rocket/pull/3"], "https://ghe.example.com/Acme/Rocket"],
    [
      ["https://github.com/other/repo/issues/1", "https://github.com/acme/rocket/pull/9"],
      "https://github.com/acme/rocket",
    ],
  ])("from %o → %s", (urls, expected) => {
    expect(repoWebUrl(REPO, urls)).toBe(expected);
  });

  it("falls back to GHE_HOST, with its protocol, or github.com", () => {
    vi.stubEnv("GHE_HOST", undefined);
    expect(repoWebUrl(REPO, [])).toBe("https://github.com/acme/rocket");
    vi.stubEnv("GHE_HOST", "ghe.example.com");
    vi.stubEnv("GHE_PROTOCOL", "http");
    expect(repoWebUrl(REPO, [])).toBe("http://ghe.example.com/acme/rocket");
  });
});
