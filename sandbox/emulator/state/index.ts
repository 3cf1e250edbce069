import * as checks from "./checks.js";
import * as comments from "./comments.js";
import * as contents from "./contents.js";
import { StateCore } from "./core.js";
import * as deployments from "./deployments.js";
import * as issues from "./issues.js";
import * as labels from "./labels-milestones.js";
import * as projects from "./projects.js";
import * as pulls from "./pulls.js";
import * as repos from "./repos.js";
import * as rules from "./rules.js";
import * as subIssues from "./sub-issues.js";

export type { CheckRunInput } from "./checks.js";
export type { FailRule } from "./core.js";
export {
  ApiError,
  blobSha,
  DEFAULT_APP_EVENTS,
  nowIso,
  randomSha,
  StateCore,
  secondAfter,
} from "./core.js";
export type { IssueInput, IssuePatch } from "./issues.js";
export type { MilestoneInput } from "./labels-milestones.js";
export type { ProjectInput, ProjectRecord } from "./projects.js";
export type { PullInput } from "./pulls.js";
export type { RulesetInput } from "./rules.js";
export { requiredChecksRule } from "./rules.js";

/** A resource function's arguments after the state it works on (the facade passes itself). */
type Args<F> = F extends (state: StateCore, ...args: infer A) => unknown ? A : never;

/**
 * The emulator's GitHub: every mutation goes through here, whether a REST
 * call made it (acting as the app's bot) or an actor did (acting as a
 * person), and each one emits the webhook GitHub would send. The work is
 * done per resource in ./repos.ts, ./contents.ts, ./issues.ts, ./pulls.ts,
 * ./labels-milestones.ts, ./comments.ts, ./checks.ts and ./deployments.ts;
 * the records, ids and listeners are StateCore's (./core.ts).
 */
export class EmulatorState extends StateCore {
  // ── Projects (v2), GraphQL only ─────────────────────────────────────────
  createProject(...a: Args<typeof projects.createProject>) {
    return projects.createProject(this, ...a);
  }
  findProject(...a: Args<typeof projects.findProject>) {
    return projects.findProject(this, ...a);
  }
  editProjectItem(...a: Args<typeof projects.editProjectItem>) {
    return projects.editProjectItem(this, ...a);
  }
  projectItemValue(...a: Parameters<typeof projects.projectItemValue>) {
    return projects.projectItemValue(...a);
  }

  // ── people, repositories and installations ──────────────────────────────
  addCollaborator(...a: Args<typeof repos.addCollaborator>) {
    return repos.addCollaborator(this, ...a);
  }
  addTeamMember(...a: Args<typeof repos.addTeamMember>) {
    return repos.addTeamMember(this, ...a);
  }
  roleOf(...a: Parameters<typeof repos.roleOf>) {
    return repos.roleOf(...a);
  }
  createRepo(...a: Args<typeof repos.createRepo>) {
    return repos.createRepo(this, ...a);
  }
  install(...a: Args<typeof repos.install>) {
    return repos.install(this, ...a);
  }
  issueTokenFor(...a: Args<typeof repos.issueTokenFor>) {
    return repos.issueTokenFor(this, ...a);
  }

  // ── files and commits ───────────────────────────────────────────────────
  filesAt(...a: Parameters<typeof contents.filesAt>) {
    return contents.filesAt(...a);
  }
  commitFiles(...a: Args<typeof contents.commitFiles>) {
    return contents.commitFiles(this, ...a);
  }

  // ── labels and milestones ───────────────────────────────────────────────
  findLabel(...a: Parameters<typeof labels.findLabel>) {
    return labels.findLabel(...a);
  }
  createLabel(...a: Args<typeof labels.createLabel>) {
    return labels.createLabel(this, ...a);
  }
  updateLabel(...a: Args<typeof labels.updateLabel>) {
    return labels.updateLabel(this, ...a);
  }
  deleteLabel(...a: Args<typeof labels.deleteLabel>) {
    return labels.deleteLabel(this, ...a);
  }
  createMilestone(...a: Args<typeof labels.createMilestone>) {
    return labels.createMilestone(this, ...a);
  }
  updateMilestone(...a: Args<typeof labels.updateMilestone>) {
    return labels.updateMilestone(this, ...a);
  }

  // ── issues and pull requests ────────────────────────────────────────────
  issue(...a: Parameters<typeof issues.issue>) {
    return issues.issue(...a);
  }
  createIssue(...a: Args<typeof issues.createIssue>) {
    return issues.createIssue(this, ...a);
  }
  updateIssue(...a: Args<typeof issues.updateIssue>) {
    return issues.updateIssue(this, ...a);
  }
  addLabels(...a: Args<typeof issues.addLabels>) {
    return issues.addLabels(this, ...a);
  }
  setLabels(...a: Args<typeof issues.setLabels>) {
    return issues.setLabels(this, ...a);
  }
  removeLabel(...a: Args<typeof issues.removeLabel>) {
    return issues.removeLabel(this, ...a);
  }
  issueEvents(...a: Parameters<typeof issues.issueEvents>) {
    return issues.issueEvents(...a);
  }
  createPull(...a: Args<typeof pulls.createPull>) {
    return pulls.createPull(this, ...a);
  }
  pushToPull(...a: Args<typeof pulls.pushToPull>) {
    return pulls.pushToPull(this, ...a);
  }
  enqueueMergeGroup(...a: Args<typeof pulls.enqueueMergeGroup>) {
    return pulls.enqueueMergeGroup(this, ...a);
  }
  mergePull(...a: Args<typeof pulls.mergePull>) {
    return pulls.mergePull(this, ...a);
  }

  // ── sub-issues ──────────────────────────────────────────────────────────
  issueById(...a: Args<typeof subIssues.issueById>) {
    return subIssues.issueById(this, ...a);
  }
  parentOf(...a: Args<typeof subIssues.parentOf>) {
    return subIssues.parentOf(this, ...a);
  }
  addSubIssue(...a: Args<typeof subIssues.addSubIssue>) {
    return subIssues.addSubIssue(this, ...a);
  }
  removeSubIssue(...a: Args<typeof subIssues.removeSubIssue>) {
    return subIssues.removeSubIssue(this, ...a);
  }
  /** TEST-ONLY: a link GitHub would refuse (a loop, more than 8 levels), with no webhook. */
  forceParent(...a: Args<typeof subIssues.forceParent>) {
    return subIssues.forceParent(this, ...a);
  }

  // ── comments ────────────────────────────────────────────────────────────
  createComment(...a: Args<typeof comments.createComment>) {
    return comments.createComment(this, ...a);
  }
  comment(...a: Parameters<typeof comments.comment>) {
    return comments.comment(...a);
  }
  updateComment(...a: Args<typeof comments.updateComment>) {
    return comments.updateComment(this, ...a);
  }
  deleteComment(...a: Args<typeof comments.deleteComment>) {
    return comments.deleteComment(this, ...a);
  }

  // ── check runs and deployments ──────────────────────────────────────────
  checkRun(...a: Parameters<typeof checks.checkRun>) {
    return checks.checkRun(...a);
  }
  createCheckRun(...a: Args<typeof checks.createCheckRun>) {
    return checks.createCheckRun(this, ...a);
  }
  updateCheckRun(...a: Args<typeof checks.updateCheckRun>) {
    return checks.updateCheckRun(this, ...a);
  }
  rerequestCheckRun(...a: Args<typeof checks.rerequestCheckRun>) {
    return checks.rerequestCheckRun(this, ...a);
  }
  requestDeployment(...a: Args<typeof deployments.requestDeployment>) {
    return deployments.requestDeployment(this, ...a);
  }
  answerDeployment(...a: Parameters<typeof deployments.answerDeployment>) {
    return deployments.answerDeployment(...a);
  }

  // ── rules, branch protection, environments, what an installation accepted ──
  createRuleset(...a: Args<typeof rules.createRuleset>) {
    return rules.createRuleset(this, ...a);
  }
  deleteRuleset(...a: Parameters<typeof rules.deleteRuleset>) {
    return rules.deleteRuleset(...a);
  }
  setBranchProtection(...a: Parameters<typeof rules.setBranchProtection>) {
    return rules.setBranchProtection(...a);
  }
  ensureEnvironment(...a: Args<typeof rules.ensureEnvironment>) {
    return rules.ensureEnvironment(this, ...a);
  }
  setInstallationGrants(...a: Args<typeof rules.setInstallationGrants>) {
    return rules.setInstallationGrants(this, ...a);
  }
}
