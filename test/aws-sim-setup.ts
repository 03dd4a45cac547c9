/**
 * vitest globalSetup (Node side): the AWS and DNS stand-ins for the worker tests, on the ports
 * vitest.config.ts chose and pointed the Worker's AWS_ENDPOINT_URL and DNS_RESOLVER_URL at; and the
 * Slack stand-in on a free port, whose URL tests read with `inject("slackSimUrl")` (workspaces store
 * their webhook URL themselves, so no Worker var points at it).
 */
import type { TestProject } from "vitest/node";
import { AwsSim } from "../sim/aws";
import { DnsSim } from "../sim/dns";
import { SlackSim } from "../sim/slack";

let sim: AwsSim | undefined;
let dns: DnsSim | undefined;
let slack: SlackSim | undefined;

export async function setup(project: TestProject) {
  dns = new DnsSim();
  const dnsUrl = await dns.listen(Number(process.env.SENDOPS_TEST_DNS_PORT));
  sim = new AwsSim(undefined, { dnsResolverUrl: `${dnsUrl}/dns-query` });
  await sim.listen(Number(process.env.SENDOPS_TEST_AWS_PORT));
  slack = new SlackSim();
  project.provide("slackSimUrl", await slack.listen(0));
}

export async function teardown() {
  await sim?.close();
  await dns?.close();
  await slack?.close();
}
