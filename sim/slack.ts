/**
 * Local stand-in for Slack incoming webhooks on 127.0.0.1: the Worker's Slack client
 * (worker/integrations/slack.ts) posts to a workspace's stored webhook URL, which locally is
 * `http://127.0.0.1:<port>/services/T…/B…/…` on this server.
 *
 * Run: `PORT=8054 tsx sim/slack.ts` (`npm start` does, see scripts/lib/sims.ts).
 */
import { pathToFileURL } from "node:url";
import { SlackSim } from "./slack/server";

export { SlackSim, type PostedMessage } from "./slack/server";

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sim = new SlackSim();
  const url = await sim.listen(Number(process.env.PORT ?? 8054));
  console.log(`Slack stand-in (incoming webhooks) listening on ${url}/services/T…/B…/…`);
}
