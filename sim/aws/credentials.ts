/**
 * The fixed keys and accounts of the stand-in. Kept free of imports: vitest.config.ts imports them, and
 * Vite's config loader warns about every extensionless relative import it meets on the way.
 */
/** SendOps' own IAM identity, as `npm start` and the tests configure the Worker with it. */
export const SIM_SENDOPS_ACCOUNT = "999900001111";
export const SIM_ACCESS_KEY_ID = "AKIASENDOPSLOCAL0001";
export const SIM_SECRET_ACCESS_KEY = "sendopsLocalStandInSecretKey0000000000000";
/** The account the demo workspace is connected to; `test`/`test` is its long-term key (the AWS CLI's usual local credentials). */
export const SIM_DEMO_ACCOUNT = "111122223333";
export const SIM_TEST_ACCESS_KEY_ID = "test";
export const SIM_TEST_SECRET_ACCESS_KEY = "test";
