/**
 * vitest globalSetup (Node side): the AWS and DNS stand-ins for the worker tests, on the ports
 * vitest.config.ts chose and pointed the Worker's AWS_ENDPOINT_URL and DNS_RESOLVER_URL at; a customer's
 * webhook receiver (TEST_WEBHOOK_RECEIVER_URL); the OAuth stand-in (GITHUB_OAUTH_URL, GITHUB_API_URL,
 * GOOGLE_ISSUER_URL); and the Slack stand-in on a free port, whose URL tests read with
 * `inject("slackSimUrl")` (workspaces store their webhook URL themselves, so no Worker var points at it).
 */
import type { TestProject } from "vitest/node";
import { AwsSim } from "../sim/aws";
import { DnsSim } from "../sim/dns";
import { OAuthSim } from "../sim/oauth";
import { SlackSim } from "../sim/slack";
import { WebhookReceiver } from "./webhook-receiver";

let sim: AwsSim | undefined;
let dns: DnsSim | undefined;
let receiver: WebhookReceiver | undefined;
let oauth: OAuthSim | undefined;
let slack: SlackSim | undefined;

export async function setup(project: TestProject) {
  dns = new DnsSim();
  const dnsUrl = await dns.listen(Number(process.env.SENDOPS_TEST_DNS_PORT));
  sim = new AwsSim(undefined, { dnsResolverUrl: `${dnsUrl}/dns-query` });
  await sim.listen(Number(process.env.SENDOPS_TEST_AWS_PORT));
  receiver = new WebhookReceiver();
  await receiver.listen(Number(process.env.SENDOPS_TEST_WEBHOOK_PORT));
  oauth = new OAuthSim();
  await oauth.listen(Number(process.env.SENDOPS_TEST_OAUTH_PORT));
  slack = new SlackSim();
  project.provide("slackSimUrl", await slack.listen(0));
}

export async function teardown() {
  await sim?.close();
  await dns?.close();
  await receiver?.close();
  await oauth?.close();
  await slack?.close();
}
