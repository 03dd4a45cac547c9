/**
 * The OAuth apps the stand-in knows: the client ids and secrets `npm start` and the tests give the
 * Worker. Kept free of imports: vitest.config.ts imports them.
 */
export const SIM_GITHUB_CLIENT_ID = "Iv1.sendopslocal0001";
export const SIM_GITHUB_CLIENT_SECRET = "sendops-local-github-client-secret-0001";
export const SIM_GOOGLE_CLIENT_ID = "100000000001-sendopslocal.apps.googleusercontent.com";
export const SIM_GOOGLE_CLIENT_SECRET = "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";
