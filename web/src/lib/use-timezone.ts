import { useMe } from "../api/account";
import { effectiveTimeZone } from "./time";

/** The timezone the viewer wants dates in: their profile's, or the browser's when following it. */
export const useTimeZone = () => effectiveTimeZone(useMe().user.timezone);
