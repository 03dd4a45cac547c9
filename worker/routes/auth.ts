import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { publicRoute, userRoute } from "../auth/middleware";
import { deleteSessionByToken, SESSION_COOKIE } from "../auth/sessions";
import { validate } from "../lib/validate";
import {
  changePassword,
  changePasswordSchema,
  getMe,
  profileSchema,
  sessionAnswer,
  signIn,
  signInSchema,
  signUp,
  signUpSchema,
  updateProfile,
} from "../services/accounts";

export const clientIp = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? null;

export const authRoutes = new Hono<AppEnv>()
  .post("/auth/sign-up", publicRoute(), validate("json", signUpSchema), async (c) => {
    await signUp(getDb(c.env.DB), c.req.valid("json"));
    return c.json({ ok: true, message: "Account created. Sign in with your email and password." }, 201);
  })
  .post("/auth/sign-in", publicRoute(), validate("json", signInSchema), async (c) => {
    const session = await signIn(getDb(c.env.DB), {
      ...c.req.valid("json"),
      ip: clientIp(c),
      userAgent: c.req.header("user-agent") ?? null,
    });
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:",
      path: "/",
      // The cookie outlives the longest timeout; the server-side expiry decides.
      maxAge: 30 * 24 * 3600,
    });
    return c.json(await getMe(getDb(c.env.DB), session.userId));
  })
  .post("/auth/sign-out", publicRoute(), async (c) => {
    const token = c.get("sessionToken");
    if (token) await deleteSessionByToken(getDb(c.env.DB), token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  })
  .post("/auth/password", userRoute(), validate("json", changePasswordSchema), async (c) => {
    const session = c.get("session")!;
    await changePassword(getDb(c.env.DB), session.user.id, session.id, c.req.valid("json"));
    return c.json({ ok: true });
  })
  // The dashboard's "who is signed in" check: 200 for a visitor too, so a signed-out page load logs no
  // failed request. /me stays 401 without a session, like every other signed-in route.
  .get("/session", publicRoute(), async (c) => c.json(await sessionAnswer(getDb(c.env.DB), c.get("sessionToken"))))
  .get("/me", userRoute(), async (c) => c.json(await getMe(getDb(c.env.DB), c.get("session")!.user.id)))
  .patch("/me", userRoute(), validate("json", profileSchema), async (c) =>
    c.json(await updateProfile(getDb(c.env.DB), c.get("session")!.user.id, c.req.valid("json"))),
  );
