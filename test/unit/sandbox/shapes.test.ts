import type { components } from "@octokit/openapi-types";
import { describe, expectTypeOf, it } from "vitest";
import {
  serializeApp,
  serializeCheckRun,
  serializeComment,
  serializeContentFile,
  serializeInstallation,
  serializeIssue,
  serializeIssueEvent,
  serializeLabel,
  serializeMilestone,
  serializePull,
  serializeRepo,
  serializeUser,
} from "../../../sandbox/emulator/serialize.js";

type Schemas = components["schemas"];

// The emulator's responses must be GitHub's REST shapes, or the app would be
// tested against something GitHub never sends. The compiler checks it here.
describe("emulator serializers return GitHub's REST schemas", () => {
  it("issue, pull request, label, milestone, check run, comment", () => {
    expectTypeOf(serializeIssue).returns.toEqualTypeOf<Schemas["issue"]>();
    expectTypeOf(serializePull).returns.toEqualTypeOf<Schemas["pull-request"]>();
    expectTypeOf(serializeLabel).returns.toEqualTypeOf<Schemas["label"]>();
    expectTypeOf(serializeMilestone).returns.toEqualTypeOf<Schemas["milestone"]>();
    expectTypeOf(serializeCheckRun).returns.toEqualTypeOf<Schemas["check-run"]>();
    expectTypeOf(serializeComment).returns.toEqualTypeOf<Schemas["issue-comment"]>();
  });

  it("user, repository, app, installation, file contents", () => {
    expectTypeOf(serializeUser).returns.toEqualTypeOf<Schemas["simple-user"]>();
    expectTypeOf(serializeRepo).returns.toEqualTypeOf<Schemas["repository"]>();
    expectTypeOf(serializeApp).returns.toEqualTypeOf<Schemas["integration"]>();
    expectTypeOf(serializeInstallation).returns.toEqualTypeOf<Schemas["installation"]>();
    expectTypeOf(serializeContentFile).returns.toEqualTypeOf<Schemas["content-file"]>();
  });

  it("issue events, closed and reopened included (Octokit's list type leaves those out)", () => {
    expectTypeOf(serializeIssueEvent).returns.toEqualTypeOf<
      | Schemas["labeled-issue-event"]
      | Schemas["unlabeled-issue-event"]
      | Schemas["milestoned-issue-event"]
      | Schemas["demilestoned-issue-event"]
      | Schemas["renamed-issue-event"]
      | Schemas["state-change-issue-event"]
    >();
  });

  it("the pull request's labels and milestone are the label and milestone schemas", () => {
    type PullLabel = Schemas["pull-request"]["labels"][number];
    expectTypeOf<Schemas["label"]>().toExtend<PullLabel>();
    expectTypeOf<Schemas["milestone"]>().toExtend<
      NonNullable<Schemas["pull-request"]["milestone"]>
    >();
  });
});
