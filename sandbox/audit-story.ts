import { type Actors, createActors } from "./actors.js";
import type { Emulator } from "./emulator/index.js";

/** Two phases and one gate: enough for every kind of round and merge the audit reports. */
export const AUDIT_STORY_CONFIG = `phases:
  - id: crawl
    gate:
      criteria: [Feasibility shown with evidence]
  - id: run
`;

export interface AuditStory {
  gh: Actors;
  gate: number;
  impostor: number;
  pulls: { green: number; blockedByAdmin: number; noRun: number; forged: number };
}

/**
 * A repository's history as people and the app would leave it, made with the
 * actors alone: the Crawl gate approved by the lead, reopened, stopped,
 * reopened again and approved by `/approve` carried out by the app; a triager's
 * close the app reverted; an impostor gate label the app removed; an edited
 * `/approve`; then four merged PRs: one with a green run, one merged by the
 * admin while its run failed, one with no run at all, one with a workflow's
 * green `Phase gate` beside the app's.
 */
export async function buildAuditStory(emu: Emulator, fullName: string): Promise<AuditStory> {
  const gh = createActors(emu, { repo: fullName });
  const state = emu.state;
  const bot = { by: state.bot.login };
  gh.repo();
  gh.addCollaborator("lead", "maintain");
  gh.addCollaborator("boss", "admin");
  gh.addCollaborator("contrib", "triage");
  await gh.pushConfig(AUDIT_STORY_CONFIG, { by: "lead" });

  const gate = (
    await gh.openIssue({
      title: "Gate: Crawl → Run",
      body: "- [x] Feasibility shown with evidence\n",
      labels: ["gate: crawl"],
      by: "lead",
    })
  ).number;
  // A triager's close does not count: the app reopens it.
  await gh.closeIssue(gate, { by: "contrib", reason: "completed" });
  await gh.reopenIssue(gate, bot);
  // Round 1: approved by the lead's close, then reopened by the lead.
  await gh.closeIssue(gate, { by: "lead", reason: "completed" });
  await gh.reopenIssue(gate, { by: "lead" });
  // Round 2: stopped, then reopened.
  await gh.comment(gate, "/stop the numbers do not add up", { by: "lead" });
  await gh.closeIssue(gate, { by: "lead", reason: "not_planned" });
  await gh.reopenIssue(gate, { by: "lead" });
  // Round 3: an edited /approve is ignored; a fresh one is carried out by the app.
  const edited = await gh.comment(gate, "/approve looks fine", { by: "lead" });
  await new Promise((r) => setTimeout(r, 1100));
  await gh.editComment(edited.id, "/approve looks fine to me", { by: "contrib" });
  await gh.comment(gate, "/approve second look, all good", { by: "lead" });
  await gh.closeIssue(gate, { by: state.bot.login, reason: "completed" });

  // An impostor: a triager labels another issue as the gate; the app takes the label off.
  const impostor = (await gh.openIssue({ title: "Please approve me", by: "contrib" })).number;
  await gh.addLabel(impostor, "gate: crawl", { by: "contrib" });
  await gh.removeLabel(impostor, "gate: crawl", bot);

  const run = (sha: string, conclusion: "success" | "failure", title: string) =>
    state.createCheckRun(
      gh.repo(),
      {
        name: "Phase gate",
        head_sha: sha,
        status: "completed",
        conclusion,
        external_id: "phase-gates:floor=run",
        output: { title, summary: "…" },
      },
      state.bot,
    );
  const pr = async (title: string) =>
    gh.openPullRequest({ title, labels: ["phase: run"], by: "contrib" });

  const green = await pr("Launch the engine");
  run(green.pull?.headSha ?? "", "success", "Run: gates approved");
  await gh.mergePullRequest(green.number, { by: "lead" });

  const blocked = await pr("Hotfix the pad");
  run(blocked.pull?.headSha ?? "", "failure", "Blocked: Crawl gate pending");
  await gh.mergePullRequest(blocked.number, { by: "boss" });

  const noRun = await pr("Quiet change");
  await gh.mergePullRequest(noRun.number, { by: "boss" });

  const forged = await pr("Forged green");
  const forgedSha = forged.pull?.headSha ?? "";
  run(forgedSha, "success", "Run: gates approved");
  // GitHub keeps whole seconds.
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  gh.repo().checkRuns.push({
    id: state.nextId(),
    name: "Phase gate",
    head_sha: forgedSha,
    status: "completed",
    conclusion: "success",
    started_at: now,
    completed_at: now,
    details_url: null,
    external_id: null,
    output: { title: "All good", summary: "", text: null, annotations: [] },
    actions: [],
    app_id: 15368,
    check_suite_id: state.nextId(),
    created_at: now,
  });
  await gh.mergePullRequest(forged.number, { by: "lead" });

  return {
    gh,
    gate,
    impostor,
    pulls: {
      green: green.number,
      blockedByAdmin: blocked.number,
      noRun: noRun.number,
      forged: forged.number,
    },
  };
}
