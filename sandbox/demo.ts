/**
 * `npm run demo`: Crawl → Walk → Run, end to end, on this machine. A GitHub
 * REST emulator plays GitHub, the REAL app server runs as a child process
 * (`node lib/start.js`), and people act through signed webhooks.
 * No network, no GitHub account. `--keep` leaves the sandbox up afterwards.
 */
import { type Actors, createActors } from "./actors.js";
import { createEmulator, type Emulator } from "./emulator/index.js";
import { requiredChecksRule } from "./emulator/state/index.js";
import { issueNodeId } from "./emulator/state/projects.js";
import { type RunningApp, startApp } from "./run-app.js";

const TOTAL_STEPS = 13;
const REPO = "acme/rocket";
const LEAD = "lena";
const CONTRIBUTOR = "carlos";

const CONFIG = `# .github/phase-gates.yml — acme/rocket
phases:
  - id: crawl
    name: Crawl
    milestone: Crawl
    gate:
      criteria:
        - Engine fires on the test stand
        - Cost per launch estimated
  - id: walk
    name: Walk
    milestone: Walk
    gate:
      criteria:
        - Three suborbital hops without incident
  - id: run
    name: Run
    milestone: Run
    paths: ["infra/prod/**", "!infra/prod/docs/**"]
deployments:
  - environment: production
    phase: run
`;

// ── terminal output ───────────────────────────────────────────────────────

const useColor =
  Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
const ANSI: Record<string, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

function paint(style: keyof typeof ANSI, text: string): string {
  const codes = ANSI[style];
  return useColor && codes ? `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m` : text;
}

function say(text = ""): void {
  process.stdout.write(`${text}\n`);
}

function indent(text: string, maxLines = 18): string {
  // Hidden markers the app leaves in its comments are not for people.
  const lines = text
    .replace(/<!--[\s\S]*?-->/g, "")
    .trim()
    .split("\n");
  const shown = lines.slice(0, maxLines).map((l) => `      ${paint("dim", "│")} ${l}`);
  if (lines.length > maxLines)
    shown.push(`      ${paint("dim", `│ … ${lines.length - maxLines} more lines`)}`);
  return shown.join("\n");
}

let stepNumber = 0;
function step(title: string): void {
  stepNumber += 1;
  say();
  say(`${paint("cyan", `[${stepNumber}/${TOTAL_STEPS}]`)} ${paint("bold", title)}`);
}

function conclusionText(conclusion: string | null | undefined): string {
  if (conclusion === "success") return paint("green", "✔ success");
  if (conclusion === "failure") return paint("red", "✘ failure");
  return paint("yellow", String(conclusion ?? "none"));
}

// ── expectations ──────────────────────────────────────────────────────────

interface Expectation {
  step: number;
  text: string;
  ok: boolean;
  detail?: string;
}

const expectations: Expectation[] = [];

function expect(text: string, ok: boolean, detail?: string): boolean {
  expectations.push({ step: stepNumber, text, ok, ...(detail ? { detail } : {}) });
  say(
    `    ${ok ? paint("green", "✔") : paint("red", "✘")} ${text}${!ok && detail ? paint("dim", ` — ${detail}`) : ""}`,
  );
  return ok;
}

/** Waits for a condition, recording it as an expectation; returns the value or null. */
async function expectEventually<T>(
  gh: Actors,
  text: string,
  predicate: () => T | undefined | null | false,
  timeoutMs = 25_000,
): Promise<T | null> {
  try {
    const value = await gh.waitFor(predicate, { timeoutMs, what: text });
    expect(text, true);
    return value;
  } catch (error) {
    expect(text, false, error instanceof Error ? error.message : String(error));
    return null;
  }
}

function printTable(): void {
  const rows = expectations.map((e) => [String(e.step), e.text, e.ok ? "✔" : "✘"] as const);
  const w0 = Math.max(4, ...rows.map((r) => r[0].length));
  const w1 = Math.max(11, ...rows.map((r) => r[1].length));
  const line = `  ${"─".repeat(w0 + 2)}┼${"─".repeat(w1 + 2)}┼${"─".repeat(4)}`;
  say();
  say(paint("bold", "  What was checked"));
  say(`   ${"step".padEnd(w0)} │ ${"expectation".padEnd(w1)} │`);
  say(line);
  for (const [s, text, mark] of rows) {
    say(
      `   ${s.padEnd(w0)} │ ${text.padEnd(w1)} │ ${mark === "✔" ? paint("green", mark) : paint("red", mark)}`,
    );
  }
  const failed = expectations.filter((e) => !e.ok).length;
  say();
  say(
    failed === 0
      ? paint("green", `  All ${expectations.length} expectations held.`)
      : paint("red", `  ${failed} of ${expectations.length} expectations did not hold.`),
  );
}

// ── the story ─────────────────────────────────────────────────────────────

/** The dashboard as it stood at the end of the story, printed after the story. */
let finalDashboard: string | null = null;

/** The dashboard's headline (its first line of prose), for one-line progress reports. */
function dashboardLine(gh: Actors): string {
  const body = (gh.dashboard()?.body ?? "").replace(/<!--[\s\S]*?-->/g, "");
  return body.split("\n").find((l) => l.startsWith("**")) ?? paint("dim", "(not written yet)");
}

/** The dashboard's enforcement line (its first block under the title), or null before it is written. */
function enforcementLine(gh: Actors): string | null {
  const body = gh.dashboard()?.body ?? "";
  return body.split("## Phase gates status\n\n")[1]?.split("\n")[0] ?? null;
}

/** The dashboard's tables without its diagram: what a terminal can show. */
function dashboardTables(body: string): string {
  return body.replace(/```mermaid[\s\S]*?```\n*/g, "");
}

async function gateIssueNumber(
  gh: Actors,
  label: string,
  title: string,
  criteria: string[],
): Promise<number> {
  const existing = gh.issueWithLabel(label);
  if (existing) return existing.number;
  // The app did not create it: a lead opens the gate issue by hand, as a team could.
  say(
    paint(
      "yellow",
      `    (no issue labelled "${label}": ${LEAD} opens one by hand so the story can go on)`,
    ),
  );
  const opened = await gh.openIssue({
    title,
    body: `Decide whether we move on.\n\n${criteria.map((c) => `- [ ] ${c}`).join("\n")}\n`,
    labels: [label],
    by: LEAD,
  });
  return opened.number;
}

async function story(emu: Emulator, app: RunningApp): Promise<void> {
  const gh = createActors(emu, { repo: REPO });
  gh.repo();
  gh.addCollaborator(LEAD, "maintain");
  gh.addCollaborator(CONTRIBUTOR, "triage");

  step("The sandbox is up: a GitHub API emulator and the real phase-gates server");
  say(`    GitHub API  ${paint("blue", emu.apiUrl)}`);
  say(
    `    app server  ${paint("blue", app.webhookUrl)} ${paint("dim", `(pid ${app.pid}, node lib/start.js)`)}`,
  );
  say(
    `    people      ${LEAD} (maintain: may approve gates), ${CONTRIBUTOR} (triage: may close issues, not approve)`,
  );
  expect("the real app server answers on its port", !app.exited);

  step(`${LEAD} pushes .github/phase-gates.yml and installs the app on ${REPO}`);
  say(indent(CONFIG, 8));
  await gh.pushConfig(CONFIG, { by: LEAD });
  // What an admin sets up beside the config: the ruleset that makes the check required, pinned
  // to the app, and the app's protection rule on the production environment.
  const ruleset = emu.state.createRuleset(gh.repo(), {
    name: "Phase gate from phase-gates",
    rules: [requiredChecksRule([{ context: "Phase gate", appId: emu.state.app.id }])],
  });
  emu.state.ensureEnvironment(gh.repo(), "production", { appRule: true });
  say(
    `    ruleset:    "${ruleset.name}" requires ${paint("bold", "Phase gate")} on main, from the phase-gates app only`,
  );
  await gh.installApp([REPO], { by: LEAD });
  const wanted = ["phase: crawl", "phase: walk", "phase: run", "gate: crawl", "gate: walk"];
  await expectEventually(gh, "phase and gate labels are created", () =>
    wanted.every((n) => gh.repo().labels.some((l) => l.name === n)),
  );
  await expectEventually(gh, "milestones Crawl, Walk and Run are created", () =>
    ["Crawl", "Walk", "Run"].every((t) => gh.repo().milestones.some((m) => m.title === t)),
  );
  await expectEventually(
    gh,
    "a gate issue is opened for each gate",
    () => gh.issueWithLabel("gate: crawl") && gh.issueWithLabel("gate: walk"),
  );
  await gh.settle({ quietMs: 800, timeoutMs: 20_000 }).catch(() => undefined);
  say(
    `    labels:     ${
      gh
        .repo()
        .labels.map((l) => paint("magenta", l.name))
        .join(", ") || paint("dim", "(none)")
    }`,
  );
  say(
    `    milestones: ${
      gh
        .repo()
        .milestones.map((m) => m.title)
        .join(", ") || paint("dim", "(none)")
    }`,
  );
  for (const issue of gh.repo().issues.values()) {
    say(
      `    issue #${issue.number} ${paint("bold", issue.title)} ${paint("dim", `[${gh.labelsOf(issue.number).join(", ")}]`)}`,
    );
  }
  const dashboard = await expectEventually(
    gh,
    'the app opens the dashboard issue "Phase gates status"',
    () => gh.dashboard(),
  );
  if (dashboard) say(`    dashboard:  issue #${dashboard.number}, ${dashboardLine(gh)}`);
  const enforced = await expectEventually(
    gh,
    "the dashboard says the gate is enforced (the ruleset requires Phase gate from the app)",
    () => enforcementLine(gh)?.startsWith("🔒 **Enforced:**"),
  );
  if (enforced) say(`    enforcement: ${enforcementLine(gh)}`);
  const crawlGate = await gateIssueNumber(gh, "gate: crawl", "Gate: Crawl → Walk", [
    "Engine fires on the test stand",
    "Cost per launch estimated",
  ]);
  const walkGate = await gateIssueNumber(gh, "gate: walk", "Gate: Walk → Run", [
    "Three suborbital hops without incident",
  ]);

  step(`${CONTRIBUTOR} opens a Crawl PR: the first phase is never blocked`);
  const crawlPr = await gh.openPullRequest({
    title: "Test-stand firing script",
    labels: ["phase: crawl"],
    by: CONTRIBUTOR,
  });
  const crawlCheck = await expectEventually(gh, "the Crawl PR's Phase gate check succeeds", () => {
    const run = gh.latestCheck(crawlPr.number);
    return run?.conclusion === "success" ? run : undefined;
  });
  say(
    `    PR #${crawlPr.number} ${conclusionText(crawlCheck?.conclusion ?? gh.latestCheck(crawlPr.number)?.conclusion)} ${crawlCheck?.output.title ?? ""}`,
  );

  step(`${CONTRIBUTOR} opens a Run PR while both gates are pending`);
  const runPr = await gh.openPullRequest({
    title: "Orbital launch sequence",
    labels: ["phase: run"],
    by: CONTRIBUTOR,
  });
  const blocked = await expectEventually(gh, "the Run PR is blocked", () => {
    const run = gh.latestCheck(runPr.number);
    return run?.conclusion === "failure" ? run : undefined;
  });
  if (blocked) {
    say(
      `    PR #${runPr.number} ${conclusionText(blocked.conclusion)} ${paint("bold", blocked.output.title ?? "")}`,
    );
    say(indent(blocked.output.summary ?? "", 16));
    expect(
      'its title names the gate a Run PR waits for: "Blocked: Walk gate pending"',
      blocked.output.title === "Blocked: Walk gate pending",
      `title is "${blocked.output.title}"`,
    );
    expect(
      "its summary links both gate issues",
      (blocked.output.summary ?? "").includes(`/${REPO}/issues/${crawlGate}`) &&
        (blocked.output.summary ?? "").includes(`/${REPO}/issues/${walkGate}`),
    );
  }

  step(`${CONTRIBUTOR} opens a PR with no label that changes production infrastructure`);
  const infraPr = await gh.openPullRequest({
    title: "Bigger fuel tanks",
    files: { "infra/prod/tanks.tf": 'resource "tank" { size = "xl" }\n' },
    by: CONTRIBUTOR,
  });
  const byPaths = await expectEventually(gh, "the unlabelled infra/prod PR is blocked too", () => {
    const run = gh.latestCheck(infraPr.number);
    return run?.conclusion === "failure" ? run : undefined;
  });
  if (byPaths) {
    say(
      `    PR #${infraPr.number} ${conclusionText(byPaths.conclusion)} ${paint("bold", byPaths.output.title ?? "")}`,
    );
    say(indent(byPaths.output.summary ?? "", 8));
    const summary = byPaths.output.summary ?? "";
    expect(
      "it is Run because of its files: no label needed",
      byPaths.output.title === "Blocked: Walk gate pending" &&
        summary.includes("**Phase:** Run, from its changed files"),
      `title is "${byPaths.output.title}"`,
    );
    expect(
      "its summary names the file and the pattern: `infra/prod/tanks.tf` (pattern `infra/prod/**`)",
      summary.includes("`infra/prod/tanks.tf` (pattern `infra/prod/**`)"),
    );
  }

  say(
    `    A release workflow deploys to ${paint("bold", "production")} (the app's protection rule is on it):`,
  );
  const deployRun = await gh.requestDeployment("production", { by: LEAD });
  await gh.settle();
  expect(
    "the production deployment waits: no answer while the Walk gate is pending",
    gh.deploymentAnswers(deployRun).length === 0,
  );
  say(`    workflow run ${deployRun} → production: ${paint("yellow", "waiting")} for phase-gates`);

  step(
    `${LEAD} files a Run epic with a task under it (sub-issues); ${CONTRIBUTOR}'s PR closes the task, unlabelled`,
  );
  const epic = await gh.openIssue({
    title: "Epic: crewed flight",
    labels: ["phase: run"],
    by: LEAD,
  });
  const task = await gh.openIssue({ title: "Cabin pressure alarms", by: LEAD });
  await gh.addSubIssue(epic.number, task.number, { by: LEAD });
  const taskPr = await gh.openPullRequest({
    title: "Cabin pressure alarms",
    body: `Closes #${task.number}`,
    by: CONTRIBUTOR,
  });
  const inherited = await expectEventually(
    gh,
    "the task's PR is Run through the epic, and blocked by the Walk gate",
    () => {
      const run = gh.latestCheck(taskPr.number);
      return run?.output.title === "Blocked: Walk gate pending" ? run : undefined;
    },
  );
  if (inherited) {
    say(
      `    PR #${taskPr.number} ${conclusionText(inherited.conclusion)} ${paint("bold", inherited.output.title ?? "")}`,
    );
    const phaseLine = (inherited.output.summary ?? "")
      .split("\n")
      .find((l) => l.startsWith("**Phase:**"));
    if (phaseLine) say(`    ${phaseLine}`);
    expect(
      `its summary says the phase is inherited from the epic #${epic.number}`,
      (inherited.output.summary ?? "").includes(`inherited from [#${epic.number}]`),
    );
  }

  step(`${CONTRIBUTOR} (triage) tries to close the Walk gate as completed`);
  const commentsBefore = gh.commentsOn(walkGate).length;
  await gh.closeIssue(walkGate, { by: CONTRIBUTOR, reason: "completed" });
  await expectEventually(
    gh,
    "the app reopens the Walk gate",
    () => gh.issue(walkGate).state === "open",
  );
  const revertComment = await expectEventually(gh, "the app explains who may approve", () =>
    gh
      .commentsOn(walkGate)
      .slice(commentsBefore)
      .find((c) => c.user.login.endsWith("[bot]")),
  );
  if (revertComment) {
    say(`    ${paint("bold", revertComment.user.login)} commented on #${walkGate}:`);
    say(indent(revertComment.body, 12));
  }
  expect("the Run PR is still blocked", gh.latestCheck(runPr.number)?.conclusion === "failure");

  step(`${LEAD} (maintain) ticks the Crawl criteria and closes the Crawl gate as completed`);
  const walkDue = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  say(`    ${LEAD} also gives the Walk milestone a due date, ${walkDue}: Walk's timebox`);
  await gh.setMilestoneDue("Walk", `${walkDue}T17:00:00Z`, { by: LEAD });
  await gh.tickCriteria(crawlGate, { by: LEAD });
  await gh.closeIssue(crawlGate, { by: LEAD, reason: "completed" });
  const walkPending = await expectEventually(
    gh,
    'the Run PR now waits for the Walk gate: "Blocked: Walk gate pending"',
    () => {
      const run = gh.latestCheck(runPr.number);
      return run?.output.title === "Blocked: Walk gate pending" ? run : undefined;
    },
  );
  expect(
    "the Crawl gate stays closed as completed",
    gh.issue(crawlGate).state === "closed" && gh.issue(crawlGate).state_reason === "completed",
  );
  if (walkPending)
    say(
      `    PR #${runPr.number} ${conclusionText(walkPending.conclusion)} ${walkPending.output.title}`,
    );
  const midWalk = await expectEventually(
    gh,
    "the dashboard moves to Walk and counts down its timebox",
    () => {
      const body = gh.dashboard()?.body ?? "";
      return body.includes("### Walk (current phase)") && body.includes("14 days left")
        ? body
        : undefined;
    },
  );
  if (midWalk) {
    say(`    ${paint("bold", "Phase gates status")} in the middle of Walk:`);
    say(indent(midWalk, 80));
  }

  step(`${LEAD} ticks the Walk criteria and comments /approve on the Walk gate`);
  const headBefore = gh.issue(runPr.number).pull?.headSha;
  const prEventsBefore = emu.webhooks.deliveries.filter((d) => d.event === "pull_request").length;
  await gh.tickCriteria(walkGate, { by: LEAD });
  await gh.comment(walkGate, "/approve three clean hops, telemetry attached", { by: LEAD });
  const walkClosed = await expectEventually(gh, "the app closes the Walk gate as completed", () => {
    const issue = gh.issue(walkGate);
    return issue.state === "closed" && issue.state_reason === "completed" ? issue : undefined;
  });
  const approveAt = gh.commentsOn(walkGate).at(-1)?.id ?? 0;
  const record = await expectEventually(gh, "the app records the decision on the gate issue", () =>
    gh.commentsOn(walkGate).find((c) => c.id > approveAt && c.user.login.endsWith("[bot]")),
  );
  if (walkClosed && record) {
    say(`    ${paint("bold", record.user.login)} recorded the decision:`);
    say(indent(record.body, 12));
  }

  await expectEventually(gh, "the dashboard moves to Run", () =>
    (gh.dashboard()?.body ?? "").includes("### Run (current phase)"),
  );
  say(`    dashboard:  ${dashboardLine(gh)}`);

  step("The Run PR turns green by itself: no push, no new commit");
  const green = await expectEventually(gh, "the Run PR's Phase gate check succeeds", () => {
    const run = gh.latestCheck(runPr.number);
    return run?.conclusion === "success" ? run : undefined;
  });
  if (green)
    say(`    PR #${runPr.number} ${conclusionText(green.conclusion)} ${green.output.title}`);
  const prEventsAfter = emu.webhooks.deliveries.filter((d) => d.event === "pull_request").length;
  expect(
    "without a push: same head commit, no pull_request event",
    gh.issue(runPr.number).pull?.headSha === headBefore && prEventsAfter === prEventsBefore,
  );

  const deployed = await expectEventually(
    gh,
    "the waiting production deployment is approved, once",
    () => {
      const answers = gh.deploymentAnswers(deployRun);
      return answers.length === 1 && answers[0]?.state === "approved" ? answers[0] : undefined;
    },
  );
  if (deployed) {
    say(
      `    workflow run ${deployRun} → production: ${paint("green", "approved")} by ${deployed.by}:`,
    );
    say(indent(deployed.comment, 6));
  }

  step(`Launch telemetry looks wrong: ${LEAD} reopens the Walk gate and stops it`);
  await gh.reopenIssue(walkGate, { by: LEAD });
  await gh.comment(walkGate, "/stop hop 3 telemetry shows a pressure anomaly", { by: LEAD });
  await expectEventually(gh, "the app closes the Walk gate as not planned", () => {
    const issue = gh.issue(walkGate);
    return issue.state === "closed" && issue.state_reason === "not_planned";
  });
  const laterPr = await gh.openPullRequest({
    title: "Second launch window",
    labels: ["phase: run"],
    by: CONTRIBUTOR,
  });
  const stopped = await expectEventually(gh, 'a new Run PR is blocked with "stopped"', () => {
    const run = gh.latestCheck(laterPr.number);
    return run?.conclusion === "failure" && /stopped/i.test(run.output.title ?? "")
      ? run
      : undefined;
  });
  if (stopped) {
    say(
      `    PR #${laterPr.number} ${conclusionText(stopped.conclusion)} ${paint("bold", stopped.output.title ?? "")}`,
    );
    say(indent(stopped.output.summary ?? "", 10));
  }
  await expectEventually(gh, "the dashboard says the work stopped in Walk", () =>
    (gh.dashboard()?.body ?? "").includes("**Stopped in Walk**"),
  );
  await gh.settle({ quietMs: 800, timeoutMs: 20_000 }).catch(() => undefined);

  step("An admin deletes the ruleset: does the gate still bite?");
  emu.state.deleteRuleset(gh.repo(), ruleset.id);
  say(
    `    Without it nothing requires ${paint("bold", "Phase gate")}: the blocked PR #${laterPr.number} could be merged.`,
  );
  say(
    "    The app reads the rules again on every config push and installation, and within the hour on any dashboard refresh.",
  );
  await gh.pushConfig(`${CONFIG}# the team's next config change\n`, { by: LEAD });
  const warning = await expectEventually(
    gh,
    "the dashboard warns that the gate does not bite, and says how to fix it",
    () => {
      const body = gh.dashboard()?.body ?? "";
      return body.includes("**The gate does not bite:**") &&
        body.includes("**Fix:** Settings → Rules")
        ? body
        : undefined;
    },
  );
  if (warning) {
    const block = warning.split("\n").filter((l) => l.startsWith("> ") && !l.includes("[!"));
    say(indent(block.map((l) => l.slice(2)).join("\n"), 6));
  }
  await gh.settle({ quietMs: 800, timeoutMs: 20_000 }).catch(() => undefined);
  finalDashboard = gh.dashboard()?.body ?? null;
  expect(
    "the app called only emulated GitHub routes",
    emu.requestLog.unhandled.length === 0,
    emu.requestLog.unhandled.join(", "),
  );
}

/**
 * The organisation's work by phase (SPEC §5 "Projects"): two repositories of
 * one organisation share a GitHub Project; the app keeps it grouped by phase.
 */
async function projectStory(emu: Emulator): Promise<void> {
  step("Across repositories: the organisation's project, grouped by phase");
  const org = "launch";
  emu.state.user(org, "Organization");
  // An owner who turns Projects on adds the event and the permission (README "Projects").
  if (!emu.state.app.events.includes("projects_v2_item"))
    emu.state.app.events.push("projects_v2_item");
  const project = emu.state.createProject(org, { number: 1, title: "Launch" });
  const config = `${CONFIG}project:\n  number: 1\n`;
  const repos: Actors[] = [];
  for (const name of ["api", "web"]) {
    const gh = createActors(emu, { repo: `${org}/${name}` });
    gh.repo();
    gh.addCollaborator(LEAD, "maintain");
    await gh.pushConfig(config, { by: LEAD });
    await gh.installApp([`${org}/${name}`], { by: LEAD });
    repos.push(gh);
  }
  const [api, web] = repos as [Actors, Actors];
  say(`    ${org}/api and ${org}/web both say ${paint("bold", "project: { number: 1 }")}`);
  const pilot = await api.openIssue({
    title: "Pilot with two teams",
    labels: ["phase: walk"],
    by: LEAD,
  });
  const scale = await web.openPullRequest({
    title: "Scale the rollout",
    labels: ["phase: run"],
    by: LEAD,
  });
  const projectValue = (gh: Actors, number: number, field: string) =>
    emu.state.projectItemValue(project, gh.issue(number), field);
  await expectEventually(
    api,
    "the Walk issue of launch/api is in the project as Walk",
    () => projectValue(api, pilot.number, "Phase") === "Walk",
  );
  await expectEventually(
    web,
    "the Run PR of launch/web is in the project as Run",
    () => projectValue(web, scale.number, "Phase") === "Run",
  );
  const gate = api.issueWithLabel("gate: crawl");
  await expectEventually(api, "launch/api's Crawl gate issue is in the project as Pending", () =>
    gate ? projectValue(api, gate.number, "Gate") === "Pending" : false,
  );
  emu.state.editProjectItem(
    project,
    { repo: web.repo(), number: scale.number },
    "Phase",
    "Crawl",
    LEAD,
  );
  say(`    ${LEAD} drags PR #${scale.number} to Crawl in the project…`);
  await expectEventually(
    web,
    "the app puts it back to Run (labels are the truth)",
    () => projectValue(web, scale.number, "Phase") === "Run",
  );
  await web.settle({ quietMs: 800, timeoutMs: 20_000 }).catch(() => undefined);
  say();
  say(paint("bold", `  Project "${project.title}" grouped by Phase`));
  const phaseField = project.fields.find((f) => f.name === "Phase");
  const contents = new Map(
    [api, web].flatMap((gh) =>
      [...gh.repo().issues.values()].map((issue) => [issueNodeId(issue), { gh, issue }] as const),
    ),
  );
  const rows: string[] = [];
  for (const option of phaseField?.options ?? []) {
    const items = project.items.filter((i) => i.values.get(phaseField?.id ?? "") === option.id);
    items.forEach((item, i) => {
      const found = contents.get(item.contentId);
      if (!found) return;
      const { gh, issue } = found;
      const gateValue = emu.state.projectItemValue(project, issue, "Gate");
      rows.push(
        `${(i === 0 ? `Phase: ${option.name}` : "").padEnd(14)} ${gh.repoName.padEnd(11)} #${String(issue.number).padEnd(3)} ${issue.title}${issue.pull ? " (PR)" : ""}${gateValue ? `   Gate: ${gateValue}` : ""}`,
      );
    });
  }
  say(indent(rows.join("\n"), 30));
  expect("the project shows both repositories' work by phase", rows.length >= 4);
}

// ── main ──────────────────────────────────────────────────────────────────

async function main(): Promise<number> {
  const keep = process.argv.includes("--keep");
  const verbose = process.argv.includes("--verbose");
  say(paint("bold", "phase-gates sandbox — Crawl → Walk → Run, end to end, offline"));

  let emu: Emulator | null = null;
  let app: RunningApp | null = null;
  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      // The story is over: what GitHub would still send the stopping app (its own late
      // writes' echoes, answered 503 while it drains) is not part of it.
      if (emu) emu.webhooks.target = null;
      await app?.stop();
      await emu?.close();
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    say(paint("dim", `\n${signal}: stopping the sandbox…`));
    void cleanup().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    emu = await createEmulator();
    app = await startApp({ emulator: emu, logLevel: verbose ? "info" : "warn", echo: verbose });
    await story(emu, app);
    await projectStory(emu);
    if (finalDashboard) {
      say();
      say(paint("bold", "  The dashboard issue at the end (Phase gates status, diagram left out)"));
      say(indent(dashboardTables(finalDashboard), 80));
    }
    printTable();
    const ok = expectations.every((e) => e.ok);
    if (!ok && !verbose && app.output().trim() !== "") {
      say(paint("dim", "\n  Last lines of the app's output:"));
      say(indent(app.output().slice(-3000), 30));
    }
    if (keep) {
      say();
      say(paint("bold", "  The sandbox stays up (Ctrl-C to stop)."));
      say(`  GitHub API:  ${emu.apiUrl}`);
      say(`  App server:  ${app.webhookUrl}`);
      say(`  Try:         curl -s '${emu.apiUrl}/repos/${REPO}/issues?state=all'`);
      say(
        `  Act as ${LEAD}: curl -s -X POST -H "Authorization: token user:${LEAD}" ` +
          `-d '{"body":"/approve"}' ${emu.apiUrl}/repos/${REPO}/issues/<gate>/comments`,
      );
      await new Promise<never>(() => {
        // Kept alive until SIGINT/SIGTERM; onSignal cleans up and exits.
      });
    }
    await cleanup();
    return ok ? 0 : 1;
  } catch (error) {
    say(
      paint(
        "red",
        `\nThe demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
    );
    if (app) say(indent(app.output().slice(-3000), 30));
    printTable();
    await cleanup();
    return 1;
  }
}

process.exitCode = await main();
