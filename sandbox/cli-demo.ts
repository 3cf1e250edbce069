import { createActors } from "./actors.js";
import { buildCliStory } from "./cli-story.js";
import { createEmulator } from "./emulator/index.js";

/**
 * `npm run demo:cli` (`PORT=3001` for a fixed port): a sandbox repository with an approved, a pending and a
 * stopped gate and PRs in every phase, left up for `phase-gates status`,
 * `explain` and `doctor` to read (the README's command-line output comes from it).
 * With SANDBOX_WEBHOOK_URL (and WEBHOOK_SECRET), the app listening there is
 * installed on the repository and gets its webhooks: the README's "Try the
 * app against the sandbox" runs `npm start` that way.
 */
const emu = await createEmulator({ port: Number(process.env.PORT ?? 0) });
const story = await buildCliStory(emu, "acme/rocket");
const appUrl = process.env.SANDBOX_WEBHOOK_URL;
if (appUrl) {
  emu.connectApp({ url: appUrl, secret: process.env.WEBHOOK_SECRET ?? "development" });
  await createActors(emu, { repo: "acme/rocket" }).installApp(["acme/rocket"], { by: "lead" });
  const failed = emu.webhooks.deliveries.filter((d) => d.error !== null || (d.status ?? 0) >= 400);
  if (failed.length > 0) {
    process.stderr.write(
      `[sandbox] the app at ${appUrl} did not take the installation webhook (${failed[0]?.error ?? failed[0]?.status}): start it first, with the same WEBHOOK_SECRET\n`,
    );
  }
}
const cli = "GH_TOKEN=user:lead node lib/cli/main.js";
const api = `--api-url ${emu.apiUrl}`;
process.stdout.write(
  [
    "phase-gates sandbox for the command line: acme/rocket, Crawl → Walk → Run → Fly",
    `  gates: Crawl #${story.gates.crawl} approved, Walk #${story.gates.walk} pending, Run #${story.gates.run} stopped`,
    `  GitHub API: ${emu.apiUrl}   (a token "user:<login>" acts as that person)`,
    ...(appUrl ? [`  Webhooks:   ${appUrl}   (the app is installed on acme/rocket)`] : []),
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
