import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import {
  buildPayload,
  type DomainEvent,
  type Emulator,
  sign,
  type WebhookTarget,
} from "../../sandbox/emulator/index.js";

export interface RelayedDelivery {
  id: string;
  event: string;
  action: string | null;
  target: number;
  sentAt: number;
  /** HTTP status, or 0 when the request failed or timed out. */
  status: number;
  ms: number;
  /** Why the request failed (status 0). */
  error?: string;
  /** The PR or issue the delivery is about (`owner/repo#n`), when it is about one. */
  subject?: string;
}

/** `owner/repo#n` of a payload's PR or issue. */
function subjectOf(payload: {
  repository?: { full_name?: string };
  pull_request?: { number?: number };
  issue?: { number?: number };
}): string | undefined {
  const number = payload.pull_request?.number ?? payload.issue?.number;
  const repo = payload.repository?.full_name;
  return repo && number !== undefined ? `${repo}#${number}` : undefined;
}

/**
 * GitHub's webhook deliveries as the bench needs them: every event the
 * emulator emits is POSTed at once, without waiting for earlier answers
 * (GitHub does not wait either), to the targets in turn (several app
 * processes behind one load balancer). The emulator's own deliverer sends
 * one at a time in order, which would make the sender, not the app, the
 * bottleneck at 200 deliveries/s; it is switched off while a relay runs.
 */
export class WebhookRelay {
  targets: WebhookTarget[] = [];
  readonly deliveries: RelayedDelivery[] = [];
  private next = 0;
  private inFlight = new Set<Promise<void>>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512 });

  constructor(private readonly emu: Emulator) {
    emu.webhooks.target = null;
    emu.state.onEvent((event) => {
      this.relay(event);
    });
  }

  /**
   * Sends one delivery of `event` to every target with the same
   * `X-GitHub-Delivery`, as a GitHub retry landing on another replica would:
   * an app sharing its work must act on it once. Resolves when all answered.
   */
  async relayToAll(event: DomainEvent): Promise<void> {
    const body = JSON.stringify(buildPayload(this.emu.state, event));
    const id = randomUUID();
    await Promise.all(
      this.targets.map((target, index) =>
        this.post(target, index, event.name, event.action, body, id),
      ),
    );
  }

  /** Sends the event GitHub would send for `event`, unless nobody listens (opening PRs quietly). */
  relay(event: DomainEvent): void {
    const { state } = this.emu;
    const subscribed =
      state.app.events.includes(event.name) ||
      (event.name === "installation_repositories" && state.app.events.includes("installation"));
    if (this.targets.length === 0 || !subscribed || event.installationId === null) return;
    const payload = buildPayload(state, event);
    const body = JSON.stringify(payload);
    const index = this.next % this.targets.length;
    this.next += 1;
    const target = this.targets[index];
    if (!target) return;
    const sending = this.post(
      target,
      index,
      event.name,
      event.action,
      body,
      randomUUID(),
      subjectOf(payload as Parameters<typeof subjectOf>[0]),
    );
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Resolves once every delivery sent so far has its answer. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  close(): void {
    this.targets = [];
    this.agent.destroy();
  }

  private post(
    target: WebhookTarget,
    index: number,
    event: string,
    action: string | null,
    body: string,
    id: string = randomUUID(),
    subject?: string,
  ): Promise<void> {
    const sentAt = performance.now();
    const record = (status: number, error?: Error): void => {
      this.deliveries.push({
        id,
        event,
        action,
        target: index,
        sentAt,
        status,
        ms: performance.now() - sentAt,
        ...(error ? { error: (error as NodeJS.ErrnoException).code ?? error.message } : {}),
        ...(subject ? { subject } : {}),
      });
    };
    return new Promise((resolve) => {
      const req = request(
        target.url,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "user-agent": "GitHub-Hookshot/bench",
            "x-github-event": event,
            "x-github-delivery": id,
            "x-hub-signature-256": sign(target.secret, body),
          },
          // GitHub gives up on a delivery after 10 s.
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.once("end", () => {
            record(res.statusCode ?? 0);
            resolve();
          });
        },
      );
      req.once("timeout", () => req.destroy(new Error("timed out after 10 s")));
      req.once("error", (error) => {
        record(0, error);
        resolve();
      });
      req.end(body);
    });
  }
}

/**
 * Runs `act(i)` at a fixed rate for `seconds`, open loop: each tick happens
 * on schedule whatever earlier ones caused. Returns the real duration (ms)
 * and the worst lag behind schedule, so a sender that could not keep up shows.
 */
export async function openLoop(
  perSecond: number,
  seconds: number,
  act: (i: number) => void,
): Promise<{ sent: number; ms: number; worstLagMs: number }> {
  const total = Math.round(perSecond * seconds);
  const interval = 1000 / perSecond;
  const start = performance.now();
  let worstLagMs = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    worstLagMs = Math.max(worstLagMs, performance.now() - due);
    act(i);
  }
  return { sent: total, ms: performance.now() - start, worstLagMs };
}
