/**
 * What `phase-gates init` writes: every default spelled out and explained,
 * so a maintainer edits values instead of looking up keys. It parses to
 * exactly the defaults of an empty file (a test holds it to that).
 */
export const DEFAULT_CONFIG = `# yaml-language-server: $schema=https://raw.githubusercontent.com/phase-gates/phase-gates/main/phase-gates.schema.json
#
# phase-gates: Crawl → Walk → Run. Work in a later phase cannot merge until the
# gate that ends the previous phase is approved on its gate issue.
# The app reads this file from the default branch only. Every value below is
# the default; every key is optional (an empty file means exactly this).
# Check it before you push: phase-gates validate

phases: # in order, 2 to 10
  - id: crawl # lowercase letters, digits and dashes; unique
    name: Crawl
    label: "phase: crawl" # puts an issue or PR in this phase
    milestone: Crawl # a PR or issue in this milestone is in this phase too
    gate: # the gate that ENDS this phase; the last phase has none
      title: "Gate: Crawl → Walk" # title of the gate issue the app opens
      label: "gate: crawl" # marks the gate issue
      criteria: # a task list in the gate issue
        - Feasibility shown with evidence
      approvers: # who may decide: anyone matching ANY entry
        users: [] # GitHub logins, e.g. [octocat]
        teams: [] # "org/team-slug"
        permission: maintain # or admin, or write: the least repository role that may decide
      approvals: 1 # distinct approvers needed; closing as completed counts as one
      requireCriteria: true # every task-list item must be checked before approval
  - id: walk
    name: Walk
    label: "phase: walk"
    milestone: Walk
    gate:
      title: "Gate: Walk → Run"
      label: "gate: walk"
      criteria:
        - Feasibility shown with evidence
      approvers:
        users: []
        teams: []
        permission: maintain
      approvals: 1
      requireCriteria: true
  - id: run
    name: Run
    label: "phase: run"
    milestone: Run

unphased: allow # allow | block: pull requests with no phase at all
linkedIssues: true # a PR is in the latest phase of the issues it closes ("Closes #12")
sync:
  labels: true # create and repair the phase and gate labels
  milestones: true # create missing phase milestones; a milestone sets the phase label
  gateIssues: true # open a gate issue for every gate that has none
dashboard: true # keep a "Phase gates status" issue up to date
`;
