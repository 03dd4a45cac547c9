/**
 * vitest globalSetup (Node side): the AWS stand-in for the worker tests, on the port vitest.config.ts
 * chose and pointed the Worker's AWS_ENDPOINT_URL at.
 */
import { AwsSim } from "../sim/aws";

let sim: AwsSim | undefined;

export async function setup() {
  sim = new AwsSim();
  await sim.listen(Number(process.env.SENDOPS_TEST_AWS_PORT));
}

export async function teardown() {
  await sim?.close();
}
