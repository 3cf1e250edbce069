import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getPrivateKey } from "@probot/get-private-key";

/** What `npm start` found for the app's private key. */
export type PrivateKeyCheck =
  /** No key anywhere: Probot's setup flow registers the app (or, in production, refuses). */
  | { kind: "none" }
  /** A valid key; `fixes` says what was normalised on the way (empty when nothing was). */
  | { kind: "valid"; pem: string; fixes: string[] }
  /** No usable key: one line saying why and how to fix it. */
  | { kind: "refused"; message: string };

const HOW_TO_FIX =
  "set PRIVATE_KEY to the whole .pem file GitHub gave you, from -----BEGIN to -----END " +
  "(in an env file: one line, no quotes, line breaks written as \\n), or PRIVATE_KEY_PATH to the file";

/**
 * The PEM a PRIVATE_KEY value stands for, and what had to change. Probot's
 * setup flow writes `PRIVATE_KEY="-----BEGIN…\n…"` into .env; a .env parser
 * drops the quotes, but `docker run --env-file` keeps them and the `\n`
 * escapes, and the key then fails every delivery at signing time.
 */
export function normalisePrivateKey(raw: string): { pem: string; fixes: string[] } {
  const fixes: string[] = [];
  let pem = raw.trim();
  const quoted = /^(["'])([\s\S]*)\1$/.exec(pem);
  if (quoted) {
    pem = (quoted[2] ?? "").trim();
    fixes.push("surrounding quotes removed");
  }
  if (pem.includes("\\n")) {
    pem = pem.replace(/\\r\\n|\\n/g, "\n");
    fixes.push("literal \\n read as line breaks");
  }
  // Probot also takes a base64-encoded PEM.
  if (!pem.includes("-----BEGIN") && /^[A-Za-z0-9+/=\s]+$/.test(pem)) {
    const decoded = Buffer.from(pem, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) pem = decoded.trim();
  }
  return { pem: `${pem}\n`, fixes };
}

/** Null when Node can sign with `pem`, else why not. */
export function pemProblem(pem: string): string | null {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === "rsa" ? null : `a ${key.asymmetricKeyType} key, not RSA`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Checks the key Probot is about to use, from the same places it reads one
 * (PRIVATE_KEY, PRIVATE_KEY_PATH, else a single *.pem in the working
 * directory), so a bad key stops the start instead of every delivery.
 * `fromDotEnv`: PRIVATE_KEY came from .env, which Probot reads again itself,
 * so a value that needs more than its own `\n` handling cannot be fixed here.
 */
export function checkPrivateKey(
  env: Record<string, string | undefined>,
  options: { cwd: string; fromDotEnv: boolean },
): PrivateKeyCheck {
  const refused = (source: string, why: string): PrivateKeyCheck => ({
    kind: "refused",
    message: `${source} is not a valid PEM private key (${why}): ${HOW_TO_FIX}.`,
  });
  if (env.PRIVATE_KEY?.trim()) {
    const { pem, fixes } = normalisePrivateKey(env.PRIVATE_KEY);
    const problem = pemProblem(pem);
    if (problem) return refused("PRIVATE_KEY", problem);
    if (options.fromDotEnv && fixes.includes("surrounding quotes removed")) {
      return refused("PRIVATE_KEY in .env", "quoted twice");
    }
    return { kind: "valid", pem, fixes };
  }
  if (env.PRIVATE_KEY_PATH?.trim()) {
    const path = resolve(options.cwd, env.PRIVATE_KEY_PATH);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      return {
        kind: "refused",
        message: `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH} cannot be read (${code}): ${HOW_TO_FIX}.`,
      };
    }
    const problem = pemProblem(text);
    return problem ? refused(path, problem) : { kind: "valid", pem: text, fixes: [] };
  }
  let found: string | null;
  try {
    found = getPrivateKey({ env: {}, cwd: options.cwd });
  } catch (error) {
    return { kind: "refused", message: `${(error as Error).message.replace(/^\[.*?\] /, "")}` };
  }
  if (found === null) return { kind: "none" };
  const problem = pemProblem(found);
  return problem
    ? refused("the .pem file in this directory", problem)
    : { kind: "valid", pem: found, fixes: [] };
}
