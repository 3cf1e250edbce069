import { buildCliStory } from "./cli-story.js";
import { createEmulator } from "./emulator/index.js";

/**
 * `npm run demo:cli` (`PORT=3001` for a fixed port): a sandbox repository with an approved, a pending and a
 * stopped gate and PRs in every phase, left up for `phase-gates status`,
 * `explain` and `doctor` to read (the README's command-line output comes from it).
 */
const emu = await createEmulator({ port: Number(process.env.PORT ?? 0) });
const story = await buildCliStory(emu, "acme/rocket");
const cli = `GH_TOKEN=user:lead npx phase-gates`;
const api = `--api-url ${emu.apiUrl}`;
process.stdout.write(
  [
    "phase-gates sandbox for the command line: acme/rocket, Crawl → Walk → Run → Fly",
    `  gates: Crawl #${story.gates.crawl} approved, Walk #${story.gates.walk} pending, Run #${story.gates.run} stopped`,
    `  GitHub API: ${emu.apiUrl}   (a token "user:<login>" acts as that person)`,
    "",
    "Try:",
    `  ${cli} status acme/rocket ${api}`,
    `  ${cli} explain acme/rocket ${story.pulls.run} ${api}`,
    `  ${cli} explain acme/rocket ${story.pulls.held} ${api} --json`,
    `  ${cli} doctor acme/rocket ${api}`,
    "",
    "Ctrl-C stops it.",
    "",
  ].join("\n"),
);
const stop = () => void emu.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
