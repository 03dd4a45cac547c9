import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/instance";
import { SIMS, startSims, type RunningSims } from "../../scripts/lib/sims";
import { SIM_ACCESS_KEY_ID, SIM_SECRET_ACCESS_KEY, SIM_SENDOPS_ACCOUNT } from "../../sim/aws";

/** The AWS stand-in as `npm start` runs it: its own process from the SIMS table, default configuration. */
let sims: RunningSims;
let base: string;

beforeAll(async () => {
  const row = SIMS.find((s) => s.file === "sim/aws.ts")!;
  sims = await startSims([{ ...row, port: await freePort() }]);
  base = sims.vars.AWS_ENDPOINT_URL!;
});
afterAll(async () => {
  await sims?.stop();
});

const sts = (secretAccessKey = SIM_SECRET_ACCESS_KEY) =>
  new AwsClient({ accessKeyId: SIM_ACCESS_KEY_ID, secretAccessKey, service: "sts", region: "us-east-1", retries: 0 });
const assume = (client: AwsClient, externalId: string) =>
  client.fetch(`${base}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: new URLSearchParams({ Action: "AssumeRole", Version: "2011-06-15", RoleArn: "arn:aws:iam::222233334444:role/SendOpsRole", RoleSessionName: "node-test", ExternalId: externalId }).toString(),
  });

it("gives the Worker its URL, SendOps' account id and the credentials it accepts", () => {
  expect(sims.vars).toMatchObject({ AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), SENDOPS_AWS_ACCOUNT_ID: SIM_SENDOPS_ACCOUNT });
  expect(sims.devVars).toEqual({ AWS_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SIM_SECRET_ACCESS_KEY });
});

it("binds a default role to the first External ID presented, then refuses others; SES needs the session", async () => {
  const first = await assume(sts(), "ext-node-first");
  expect(first.status).toBe(200);
  const xml = await first.text();
  const tag = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)![1]!;
  expect(await (await assume(sts(), "ext-node-first")).text()).toContain("<AssumeRoleResult>");
  const other = await assume(sts(), "ext-node-other");
  expect(other.status).toBe(403);
  expect(await other.text()).toMatch(/<Code>AccessDenied<\/Code>/);
  const badSig = await assume(sts("wrong-secret-wrong-secret-wrong-secret-00"), "ext-node-first");
  expect(badSig.status).toBe(403);
  expect(await badSig.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);

  const ses = new AwsClient({ accessKeyId: tag("AccessKeyId"), secretAccessKey: tag("SecretAccessKey"), sessionToken: tag("SessionToken"), service: "ses", region: "us-east-1", retries: 0 });
  const list = await ses.fetch(`${base}/v2/email/suppression/addresses?PageSize=2&Reason=COMPLAINT`);
  expect(list.status).toBe(200);
  const body = (await list.json()) as { SuppressedDestinationSummaries: { Reason: string; LastUpdateTime: number }[]; NextToken: string };
  expect(body.SuppressedDestinationSummaries).toHaveLength(2);
  expect(body.SuppressedDestinationSummaries.every((e) => e.Reason === "COMPLAINT" && e.LastUpdateTime > 1.6e9)).toBe(true);
  expect(body.NextToken).toBeTruthy();
  const noToken = await new AwsClient({ accessKeyId: tag("AccessKeyId"), secretAccessKey: tag("SecretAccessKey"), service: "ses", region: "us-east-1", retries: 0 }).fetch(`${base}/v2/email/account`);
  expect(noToken.status).toBe(403);
  expect(noToken.headers.get("x-amzn-errortype")).toMatch(/^UnrecognizedClientException:/);
});
