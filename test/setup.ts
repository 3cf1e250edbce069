import nock from "nock";
import { afterEach, beforeAll } from "vitest";

// Tests never reach a real GitHub; loopback stays open for the e2e sandbox.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});

afterEach(() => {
  nock.cleanAll();
});
