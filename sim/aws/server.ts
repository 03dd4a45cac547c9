/**
 * The HTTP server: one port for STS, SES v2, EventBridge and CloudFormation, each request dispatched
 * by its SigV4 credential scope's service (unsigned requests by their shape, so they get that
 * service's MissingAuthenticationToken), plus the `/__sim/…` control routes.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CFN_NS, CloudFormation } from "./cloudformation";
import { DEFAULT_CONFIG, SIM_SENDOPS_ACCOUNT, type AwsSimConfig } from "./config";
import { control } from "./control";
import { eventsOperation, publish } from "./events";
import { Principals } from "./iam";
import type { Call, Fault, Runtime, Stats } from "./runtime";
import { sendopsTemplateBody } from "./sendops-stack";
import { runSes, sesRoute } from "./ses";
import { World } from "./state";
import { STS_NS, stsAction } from "./sts";
import { AwsFault, json11Fault, json11Reply, PageTokens, queryFault, queryPairs, queryReply, restJsonFault, restJsonReply, SERVICES, signedService, verifySignature, type Service } from "./wire";

export interface AwsSimOptions {
  /** The clock (epoch ms): identity verification, quotas, expirations and event times read it. */
  now?: () => number;
  /**
   * The DNS-over-HTTPS (JSON) resolver SES's DKIM verification reads, as real SES reads public DNS:
   * sim/dns. Unset: domains settle by time alone, as seeded identities do.
   */
  dnsResolverUrl?: string;
}

/** The service an unsigned request was meant for, judged by its shape. */
function guessService(req: http.IncomingMessage, rawPath: string, body: Buffer): Service {
  if (rawPath.startsWith("/v2/email/")) return "ses";
  if (String(req.headers["x-amz-target"] ?? "").startsWith("AWSEvents.")) return "events";
  return /(^|&)Version=2010-05-15(&|$)/.test(body.toString("utf8")) ? "cloudformation" : "sts";
}

export class AwsSim {
  readonly server: http.Server;
  readonly runtime: Runtime;
  private readonly cloudFormation: CloudFormation;

  constructor(config: AwsSimConfig = DEFAULT_CONFIG, options: AwsSimOptions = {}) {
    const now = options.now ?? Date.now;
    const stats = new Map<string, Stats>();
    const throttles = new Map<string, number>();
    const faults = new Map<string, Fault[]>();
    const world = new World(config, now, (state, seed) => {
      this.cloudFormation.create(state, {
        stackName: "sendops",
        templateBody: sendopsTemplateBody(),
        parameters: [
          { key: "SendOpsAccountId", value: SIM_SENDOPS_ACCOUNT },
          { key: "ExternalId", value: seed.externalId },
          { key: "WebhookUrl", value: seed.webhookUrl },
          { key: "WebhookApiKey", value: seed.webhookApiKey },
        ],
        capabilities: ["CAPABILITY_NAMED_IAM"],
      });
    });
    this.runtime = {
      config,
      world,
      principals: new Principals(config.credentials, world),
      tokens: new PageTokens(randomBytes(16)),
      now,
      dnsResolverUrl: options.dnsResolverUrl ?? null,
      stats: (account) => {
        let s = stats.get(account);
        if (!s) stats.set(account, (s = { assumeRole: 0, ses: {}, events: {}, cloudformation: {} }));
        return s;
      },
      throttles,
      throttled: (account) => {
        const left = throttles.get(account) ?? 0;
        if (left <= 0) return false;
        throttles.set(account, left - 1);
        return true;
      },
      faults,
      fault: (account, operation) => {
        const rules = faults.get(account) ?? [];
        const hit = rules.find((f) => f.operation === operation && f.count > 0);
        if (!hit) return null;
        hit.count -= 1;
        faults.set(account, rules.filter((f) => f.count > 0));
        return hit;
      },
      publish: (state, event) => publish(this.runtime, state, event),
    };
    this.cloudFormation = new CloudFormation(this.runtime);
    // Accounts with a fixed region exist from the start, so their stacks' roles can be assumed at once.
    for (const seed of config.accounts) if (seed.region !== "*") world.region(seed.account, seed.region);
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** Listens on 127.0.0.1:`port` (0 = any free port); resolves with the base URL. */
  listen(port: number): Promise<string> {
    return new Promise((resolve) => {
      this.server.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`));
    });
  }

  close(): Promise<void> {
    // Clients (workerd, the SDK) keep connections alive; close them or `close()` waits for their timeout.
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? "" : url.slice(q + 1);
    try {
      if (rawPath.startsWith("/__sim/")) return control(this.runtime, this.cloudFormation, req.method ?? "GET", rawPath, new URLSearchParams(rawQuery), body, res);
      const signed = signedService(req);
      const service = signed === null ? guessService(req, rawPath, body) : SERVICES.find((s) => s === signed);
      if (!service) {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ message: `The stand-in does not serve the service '${signed}' (it serves ${SERVICES.join(", ")}).` }));
        return;
      }
      await this.serve(service, req, rawPath, rawQuery, body, res);
    } catch (err) {
      console.error("aws sim:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "internal error in the AWS stand-in" }));
    }
  }

  private async serve(service: Service, req: http.IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, res: http.ServerResponse) {
    const rt = this.runtime;
    const fault = (f: AwsFault) =>
      service === "sts" ? queryFault(res, STS_NS, f) : service === "cloudformation" ? queryFault(res, CFN_NS, f) : service === "ses" ? restJsonFault(res, f) : json11Fault(res, f);
    try {
      const signed = verifySignature(req, rawPath, rawQuery, body, service, rt.principals.secretOf, rt.now());
      const call: Call = {
        caller: rt.principals.caller(signed.accessKeyId, signed.sessionToken, service, rt.now()),
        region: signed.region,
        sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
        endpoint: `http://${req.headers.host ?? "127.0.0.1"}`,
      };
      const account = call.caller.account;
      if (service === "sts" || service === "cloudformation") {
        const params = new Map([...queryPairs(rawQuery), ...(req.method === "POST" ? queryPairs(body.toString("utf8")) : [])]);
        if (service === "sts") {
          const { action, result } = stsAction(rt, call, params);
          return queryReply(res, STS_NS, action, result);
        }
        const { action, result } = this.cloudFormation.action(call, rt.world.region(account, call.region), params);
        return queryReply(res, CFN_NS, action, result);
      }
      const state = rt.world.region(account, call.region);
      if (service === "ses") {
        const { route, labels } = sesRoute(req.method ?? "GET", rawPath);
        const stats = rt.stats(account).ses;
        stats[route.name] = (stats[route.name] ?? 0) + 1;
        if (rt.throttled(account)) throw new AwsFault("TooManyRequestsException", 429, "Too Many Requests");
        const injected = rt.fault(account, route.name);
        if (injected) throw new AwsFault(injected.code, injected.status, injected.message);
        let input: Record<string, unknown> = {};
        try {
          input = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
        } catch {
          throw new AwsFault("BadRequestException", 400, "The request body is not valid JSON.");
        }
        return restJsonReply(res, 200, await runSes({ rt, call, state, labels, query: new URLSearchParams(rawQuery), body: input }, route));
      }
      const op = eventsOperation(rt, call, state, String(req.headers["x-amz-target"] ?? ""), body);
      const stats = rt.stats(account).events;
      stats[op.name] = (stats[op.name] ?? 0) + 1;
      if (rt.throttled(account)) throw new AwsFault("ThrottlingException", 400, "Rate exceeded");
      return json11Reply(res, op.run());
    } catch (err) {
      if (err instanceof AwsFault) return fault(err);
      throw err;
    }
  }
}
