import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./context";
import { validateEnv } from "./env";
import { loadSession, publicRoute, sameOrigin } from "./auth/middleware";
import { AppError, errorBody } from "./lib/errors";
import { CSP_DIRECTIVES, REFERRER_POLICY } from "./lib/security";
import { isTransientStorageError, TRANSIENT_RETRY_AFTER_S } from "./lib/transient";
import { authRoutes } from "./routes/auth";
import { workspaceRoutes } from "./routes/workspaces";
import { teamRoutes } from "./routes/team";
import { auditRoutes } from "./routes/audit";
import { apiKeyRoutes } from "./routes/api-keys";
import { ingestRoutes } from "./routes/ingest";
import { ingestAdminRoutes } from "./routes/ingest-admin";
import { v1Routes } from "./routes/v1";
import { reportRoutes } from "./routes/reports";
import { messageRoutes } from "./routes/messages";
import { undeliverableRoutes } from "./routes/undeliverable";
import { connectionRoutes } from "./routes/connections";
import { suppressionRoutes } from "./routes/suppressions";
import { channelRoutes } from "./routes/channels";
import { cloudFormationRoutes, setupRoutes } from "./routes/setup";
import { trackingDomainRoutes } from "./routes/tracking-domains";
import { identityRoutes } from "./routes/identities";
import { webhookRoutes } from "./routes/webhooks";
import { mfaRoutes } from "./routes/mfa";
import { alertRoutes } from "./routes/alerts";
import { oauthRoutes } from "./routes/oauth";
import { accountEmailRoutes } from "./routes/account-email";
import { notificationRoutes } from "./routes/notifications";
import { integrationRoutes } from "./routes/integrations";
import { LOGO_MAX_BYTES } from "./services/workspaces";
import { countApiResponses } from "./routes/api-counters";

/** Bodies above this are refused with 413 on /api (a logo upload has its own, larger limit). */
export const API_BODY_LIMIT_BYTES = 1024 * 1024;
const LOGO_UPLOAD_PATH = /^\/api\/orgs\/[^/]+\/logo$/;

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use("*", async (c, next) => {
    validateEnv(c.env);
    await next();
  });
  app.use("/api/orgs/:orgId/*", countApiResponses);
  app.use("/v1/*", countApiResponses);

  // Registered before secureHeaders so it runs after it. HSTS only means something over https; never send it on plain-http local instances.
  app.use("*", async (c, next) => {
    await next();
    if (new URL(c.req.url).protocol !== "https:") c.res.headers.delete("Strict-Transport-Security");
  });
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
      referrerPolicy: REFERRER_POLICY,
      xFrameOptions: "DENY",
      strictTransportSecurity: "max-age=31536000; includeSubDomains",
    }),
  );

  const limitTo = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", 413, `Request body exceeds ${maxSize} bytes.`);
      },
    });
  const apiLimit = limitTo(API_BODY_LIMIT_BYTES);
  const logoLimit = limitTo(LOGO_MAX_BYTES);
  app.use("/api/*", (c, next) =>
    (c.req.method === "PUT" && LOGO_UPLOAD_PATH.test(c.req.path) ? logoLimit : apiLimit)(c, next),
  );
  app.use("/api/*", sameOrigin, loadSession);

  app.get("/api/health", publicRoute(), (c) => c.json({ ok: true }));
  app.route("/api", authRoutes);
  app.route("/api", workspaceRoutes);
  app.route("/api", teamRoutes);
  app.route("/api", auditRoutes);
  app.route("/api", apiKeyRoutes);
  app.route("/api", ingestAdminRoutes);
  app.route("/api", reportRoutes);
  app.route("/api", messageRoutes);
  app.route("/api", undeliverableRoutes);
  app.route("/api", connectionRoutes);
  app.route("/api", suppressionRoutes);
  app.route("/api", channelRoutes);
  app.route("/api", setupRoutes);
  app.route("/api", trackingDomainRoutes);
  app.route("/api", identityRoutes);
  app.route("/api", webhookRoutes);
  app.route("/api", mfaRoutes);
  app.route("/api", alertRoutes);
  app.route("/api", oauthRoutes);
  app.route("/api", accountEmailRoutes);
  app.route("/api", notificationRoutes);
  app.route("/api", integrationRoutes);
  app.route("/cloudformation", cloudFormationRoutes);
  app.route("/ingest", ingestRoutes);
  app.route("/v1", v1Routes);

  app.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`), 404));

  app.onError((err, c) => {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      return c.json(errorBody(err.status === 413 ? "PAYLOAD_TOO_LARGE" : "HTTP_ERROR", err.message), err.status);
    }
    if (isTransientStorageError(err)) {
      console.warn("transient storage error", err);
      c.header("Retry-After", String(TRANSIENT_RETRY_AFTER_S));
      return c.json(errorBody("STORAGE_UNAVAILABLE", "Storage is busy for a moment. Try again shortly."), 503);
    }
    console.error("unhandled error", err);
    return c.json(errorBody("INTERNAL", "Something went wrong on our side. The error has been logged."), 500);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
