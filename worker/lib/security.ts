/**
 * Content-Security-Policy shared by the API (secure-headers middleware) and the dashboard's static
 * assets (web/dist/_headers, written by the web build): no inline scripts, no framing.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

const kebab = (s: string) => s.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);

export const CSP_HEADER = Object.entries(CSP_DIRECTIVES)
  .map(([k, v]) => `${kebab(k)} ${v.join(" ")}`)
  .join("; ");

export const REFERRER_POLICY = "strict-origin-when-cross-origin";
