/**
 * The floor for acknowledgement times: a Probot app that does nothing with
 * the webhooks it receives, run by the same `probot run` on the same machine.
 * (`app.on("*")` is refused by Probot 14's webhooks; `onAny` is the same thing.)
 * @param {import("probot").Probot} app
 */
export default (app) => {
  app.onAny(() => {});
};
