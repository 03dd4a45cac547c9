import { DAY } from "../../lib/time";

/** An identity or channel an account sync found in SES (not created in SendOps) stays marked New this long. */
export const NEW_AFTER_DISCOVERY = 7 * DAY;
