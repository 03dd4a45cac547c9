import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SesClient } from "../worker/aws/ses";
import { insertChannelQuery } from "../worker/db/ingest";
import { PURPOSE_PRESETS } from "../worker/lib/channels";
import { DEMO_AWS, DEMO_ORG_ID } from "../worker/services/demo";
import { SIM_TEST_ACCESS_KEY_ID, SIM_TEST_SECRET_ACCESS_KEY } from "../sim/aws";
import { call, db, json, newUser } from "./helpers";

/**
 * Issue 14, deliverable 6: the demo's connection is its sample account's role (DEMO_AWS). Where that
 * account exists — the AWS stand-in, with the SendOps stack deployed for the demo's External ID — the
 * channel page's live SES read works; where it cannot be read, the demo shows the destination SendOps
 * configured, labelled as such, instead of an error.
 */

const ALL_TYPES = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE", "DELIVERY_DELAY", "SUBSCRIPTION"];
const DEMO_BUS = `arn:aws:events:${DEMO_AWS.region}:${DEMO_AWS.accountId}:event-bus/default`;

/** The demo account's own administrator (the stand-in's test key), changing its SES behind SendOps' back. */
const demoAccountSes = () => new SesClient(env, { accessKeyId: SIM_TEST_ACCESS_KEY_ID, secretAccessKey: SIM_TEST_SECRET_ACCESS_KEY }, DEMO_AWS.region);

async function demoChannel(label: string, purpose: "transactional" | "marketing", origin: "sendops" | "discovered" = "sendops") {
  const user = await newUser(`demo-aws-${label}`);
  const id = `chn_demo_${label}_${Date.now().toString(36)}`;
  const set = `sesmail-demo-${label}-${Date.now().toString(36)}`;
  const at = Date.now();
  await insertChannelQuery(db(), { id, orgId: DEMO_ORG_ID, name: `Demo ${label}`, configurationSetName: set, createdAt: at, origin, purpose, settingsJson: JSON.stringify(PURPOSE_PRESETS[purpose]), updatedAt: at });
  const destinations = async () => {
    const res = await call(`/api/orgs/${DEMO_ORG_ID}/channels/${id}/event-destinations`, { cookie: user.cookie });
    expect(res.status, await res.clone().text()).toBe(200);
    return json(res);
  };
  return { set, destinations };
}

describe("the demo's event destinations", () => {
  it("are read from the demo's SES account through its role where the account exists", async () => {
    const c = await demoChannel("live", "marketing");
    const ses = demoAccountSes();
    await ses.createConfigurationSet({ name: c.set });
    await ses.createConfigurationSetEventDestination(c.set, { name: "ops-bounces", enabled: false, matchingEventTypes: ["BOUNCE"], eventBusArn: DEMO_BUS });
    expect(await c.destinations()).toEqual({
      source: "ses",
      eventDestinations: [{ name: "ops-bounces", enabled: false, matchingEventTypes: ["BOUNCE"], eventBridgeBusArn: DEMO_BUS, managed: false }],
    });
  });

  it("fall back to the destination SendOps configured (the channel's tracking decides its events) when SES cannot be read", async () => {
    const transactional = await demoChannel("gone", "transactional");
    expect(await transactional.destinations()).toEqual({
      source: "sendops",
      eventDestinations: [{ name: "sendops-eventbridge", enabled: true, matchingEventTypes: ALL_TYPES.filter((t) => t !== "OPEN" && t !== "CLICK"), eventBridgeBusArn: DEMO_BUS, managed: true }],
    });
    const marketing = await demoChannel("gone2", "marketing");
    expect((await marketing.destinations()).eventDestinations[0].matchingEventTypes).toEqual(ALL_TYPES);
    // A set SendOps only discovered got no destination from SendOps.
    const discovered = await demoChannel("found", "marketing", "discovered");
    expect(await discovered.destinations()).toEqual({ source: "sendops", eventDestinations: [] });
  });
});
