/**
 * The local stand-ins in sim/ that `npm start` runs next to the Worker (real wire formats on
 * 127.0.0.1). A stand-in joins by adding a row to SIMS: its file, its port (given to it as PORT) and
 * the Worker vars that point the Worker at it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { offlineEnv, ROOT, stopGroup, TSX } from "./instance";
import { SIM_ACCESS_KEY_ID, SIM_SECRET_ACCESS_KEY, SIM_SENDOPS_ACCOUNT } from "../../sim/aws";
import { SIM_GITHUB_CLIENT_ID, SIM_GITHUB_CLIENT_SECRET, SIM_GOOGLE_CLIENT_ID, SIM_GOOGLE_CLIENT_SECRET } from "../../sim/oauth/credentials";

/** SendOps' sender locally: a verified identity of SendOps' own account in the stand-in. */
const SIM_MAILER_FROM = "SendOps <no-reply@sendops.local>";

export interface SimServer {
  name: string;
  /** Path from the repository root, e.g. sim/aws.ts. */
  file: string;
  port: number;
  /** Worker vars (wrangler.toml [vars]) to override so the Worker calls this stand-in. */
  vars: (baseUrl: string) => Record<string, string>;
  /** Worker secrets the stand-in accepts, written to `.dev.vars` unless the file already sets them. */
  devVars?: Record<string, string>;
  /** The stand-in's own environment, from the Worker vars of the stand-ins started before it. */
  env?: (varsSoFar: Record<string, string>) => Record<string, string>;
}

export const SIMS: readonly SimServer[] = [
  {
    name: "DNS (DNS-over-HTTPS JSON)",
    file: "sim/dns.ts",
    port: 8053,
    vars: (baseUrl) => ({ DNS_RESOLVER_URL: `${baseUrl}/dns-query` }),
  },
  {
    name: "AWS (STS, SES v2, EventBridge, CloudFormation)",
    file: "sim/aws.ts",
    port: 4566,
    // SendOps' own mail (Delegate this step) goes out through the stand-in's SES and lands in its outbox page.
    vars: (baseUrl) => ({ AWS_ENDPOINT_URL: baseUrl, SENDOPS_AWS_ACCOUNT_ID: SIM_SENDOPS_ACCOUNT, MAILER_FROM: SIM_MAILER_FROM, MAILER_REGION: "us-east-1" }),
    devVars: { AWS_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SIM_SECRET_ACCESS_KEY },
    // SES verifies a domain's DKIM by looking its CNAMEs up in public DNS: here, the DNS stand-in.
    env: (vars): Record<string, string> => (vars.DNS_RESOLVER_URL ? { DNS_RESOLVER_URL: vars.DNS_RESOLVER_URL } : {}),
  },
  {
    name: "OAuth (GitHub OAuth + REST, Google OpenID Connect)",
    file: "sim/oauth.ts",
    port: 8090,
    vars: (baseUrl) => ({ GITHUB_OAUTH_URL: baseUrl, GITHUB_API_URL: baseUrl, GOOGLE_ISSUER_URL: baseUrl, GITHUB_CLIENT_ID: SIM_GITHUB_CLIENT_ID, GOOGLE_CLIENT_ID: SIM_GOOGLE_CLIENT_ID }),
    devVars: { GITHUB_CLIENT_SECRET: SIM_GITHUB_CLIENT_SECRET, GOOGLE_CLIENT_SECRET: SIM_GOOGLE_CLIENT_SECRET },
  },
  {
    name: "Slack (incoming webhooks)",
    file: "sim/slack.ts",
    port: 8054,
    // Nothing to point: a workspace saves a webhook URL on this port under Connections → Integrations.
    vars: () => ({}),
  },
];

export interface RunningSims {
  vars: Record<string, string>;
  devVars: Record<string, string>;
  children: ChildProcess[];
  stop: () => Promise<void>;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Starts each stand-in (own process group) and waits until it accepts connections. */
export async function startSims(sims: readonly SimServer[] = SIMS): Promise<RunningSims> {
  const children: ChildProcess[] = [];
  const vars: Record<string, string> = {};
  const devVars: Record<string, string> = {};
  const stop = async () => {
    await Promise.all(children.map((c) => stopGroup(c)));
  };
  try {
    for (const sim of sims) {
      const child = spawn(TSX, [path.join(ROOT, sim.file)], {
        cwd: ROOT,
        env: offlineEnv({ ...sim.env?.(vars), PORT: String(sim.port) }),
        stdio: ["ignore", "inherit", "inherit"],
        detached: true,
      });
      children.push(child);
      const deadline = Date.now() + 30_000;
      while (!(await isListening(sim.port))) {
        if (child.exitCode !== null) throw new Error(`stand-in ${sim.name} (${sim.file}) exited with ${child.exitCode}`);
        if (Date.now() > deadline) throw new Error(`stand-in ${sim.name} did not listen on port ${sim.port} within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
      Object.assign(vars, sim.vars(`http://127.0.0.1:${sim.port}`));
      Object.assign(devVars, sim.devVars);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { vars, devVars, children, stop };
}
