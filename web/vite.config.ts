import { writeFileSync } from "node:fs";
import path from "node:path";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { CSP_HEADER, REFERRER_POLICY } from "../worker/lib/security";

/** Static assets get the same security headers as the API (Workers Static Assets read `_headers`). */
function securityHeadersFile(): Plugin {
  return {
    name: "sendops-security-headers",
    apply: "build",
    closeBundle() {
      const headers = [
        "/*",
        `  Content-Security-Policy: ${CSP_HEADER}`,
        "  X-Content-Type-Options: nosniff",
        "  X-Frame-Options: DENY",
        `  Referrer-Policy: ${REFERRER_POLICY}`,
        "",
      ].join("\n");
      writeFileSync(path.resolve(import.meta.dirname, "dist", "_headers"), headers);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), securityHeadersFile()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { proxy: { "/api": "http://127.0.0.1:8787", "/v1": "http://127.0.0.1:8787" } },
});
