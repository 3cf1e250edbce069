import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { EmulatorState } from "./state/index.js";
import type { DomainEvent } from "./types.js";

interface ExampleGroup {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

let examplesCache: ExampleGroup[] | null = null;

/** GitHub's real example payloads; we overlay our data on them so every other field keeps its true shape. */
function examples(): ExampleGroup[] {
  if (!examplesCache) {
    const require = createRequire(import.meta.url);
    examplesCache =
      require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleGroup[];
  }
  return examplesCache;
}

/** Actions with no example of their own borrow the closest one. */
const FALLBACK_ACTION: Record<string, string> = {
  "issues.closed": "reopened",
  "pull_request.milestoned": "labeled",
  "pull_request.demilestoned": "labeled",
  "pull_request.edited": "opened",
  "milestone.opened": "created",
  "milestone.edited": "created",
  "installation_repositories.added": "",
};

/** Fields of a borrowed example that do not belong to the real event. */
const DROP_WHEN_BORROWED = [
  "label",
  "assignee",
  "changes",
  "requested_reviewer",
  "before",
  "after",
];

export function examplePayload(name: string, action: string | null): Record<string, unknown> {
  const group = examples().find((g) => g.name === name);
  if (!group) return {};
  const own = group.examples.find((e) => (e.action ?? null) === action);
  if (own) return structuredClone(own);
  const borrowedAction = FALLBACK_ACTION[`${name}.${action}`];
  const borrowed = group.examples.find((e) => e.action === borrowedAction) ?? group.examples[0];
  if (!borrowed) return {};
  const copy = structuredClone(borrowed);
  for (const key of DROP_WHEN_BORROWED) delete copy[key];
  return copy;
}

/** The payload GitHub would send for an event: the real example with our data overlaid. */
export function buildPayload(state: EmulatorState, event: DomainEvent): Record<string, unknown> {
  const payload = examplePayload(event.name, event.action);
  // Deep-merge the objects we own over the example's so fields we do not model keep their example value.
  for (const [key, value] of Object.entries(event.fields)) {
    const base = payload[key];
    payload[key] = isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  if (event.action !== null) payload.action = event.action;
  else delete payload.action;
  if (event.installationId !== null) {
    payload.installation =
      event.name === "installation" || event.name === "installation_repositories"
        ? payload.installation
        : {
            id: event.installationId,
            node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${event.installationId}`,
          };
  } else {
    delete payload.installation;
  }
  const owner = event.repo?.owner;
  if (owner && owner.type === "Organization") {
    const api = `${state.urls.api}/orgs/${owner.login}`;
    payload.organization = {
      login: owner.login,
      id: owner.id,
      node_id: `O_${owner.id}`,
      url: api,
      repos_url: `${api}/repos`,
      events_url: `${api}/events`,
      hooks_url: `${api}/hooks`,
      issues_url: `${api}/issues`,
      members_url: `${api}/members{/member}`,
      public_members_url: `${api}/public_members{/member}`,
      avatar_url: `${state.urls.web}/avatars/u/${owner.id}?v=4`,
      description: null,
    };
  } else if (!("organization" in event.fields)) {
    delete payload.organization;
  }
  payload.sender ??= event.fields.sender;
  return payload;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface Delivery {
  id: string;
  event: string;
  action: string | null;
  repo: string | null;
  sender: string;
  status: number | null;
  error: string | null;
  at: string;
  durationMs: number;
  payload: Record<string, unknown>;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Sends the webhooks GitHub would send, one at a time and in order (GitHub
 * delivers a repository's events in sequence; we keep it strict so tests are
 * deterministic), awaiting each HTTP answer.
 */
export class WebhookDeliverer {
  target: WebhookTarget | null = null;
  readonly deliveries: Delivery[] = [];
  /** Events GitHub would send but nobody was listening yet, or the app is not subscribed to. */
  readonly dropped: DomainEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly state: EmulatorState) {
    state.onEvent((event) => {
      void this.enqueue(event);
    });
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves when every queued delivery has been answered. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  enqueue(event: DomainEvent): Promise<void> {
    const subscribed =
      this.state.app.events.includes(event.name) ||
      (event.name === "installation_repositories" &&
        this.state.app.events.includes("installation"));
    if (!this.target || !subscribed || event.installationId === null) {
      this.dropped.push(event);
      return Promise.resolve();
    }
    const payload = buildPayload(this.state, event);
    this.pending += 1;
    const run = this.chain.then(() => this.send(event, payload));
    this.chain = run.finally(() => {
      this.pending -= 1;
    });
    return this.chain;
  }

  private async send(event: DomainEvent, payload: Record<string, unknown>): Promise<void> {
    const target = this.target;
    if (!target) return;
    const body = JSON.stringify(payload);
    const id = randomUUID();
    const started = Date.now();
    const delivery: Delivery = {
      id,
      event: event.name,
      action: event.action,
      repo: event.repo?.full_name ?? null,
      sender: event.sender.login,
      status: null,
      error: null,
      at: new Date().toISOString(),
      durationMs: 0,
      payload,
    };
    this.deliveries.push(delivery);
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/emulator",
          "x-github-event": event.name,
          "x-github-delivery": id,
          "x-github-hook-id": "1",
          "x-github-hook-installation-target-id": String(this.state.app.id),
          "x-github-hook-installation-target-type": "integration",
          "x-hub-signature-256": sign(target.secret, body),
        },
        body,
        // GitHub gives up on a delivery after 10 s.
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      delivery.status = response.status;
      if (response.status >= 400) {
        process.stderr.write(
          `[sandbox] webhook ${event.name}.${event.action ?? ""} answered ${response.status}\n`,
        );
      }
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `[sandbox] webhook ${event.name}.${event.action ?? ""} failed: ${delivery.error}\n`,
      );
    } finally {
      delivery.durationMs = Date.now() - started;
    }
  }
}
