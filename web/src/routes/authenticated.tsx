import { useEffect } from "react";
import { Outlet } from "@tanstack/react-router";
import { useMe } from "../api/account";
import { applyTheme } from "../lib/theme";

/** Everything a signed-in user sees: keeps the document theme in step with their profile. */
export function AuthenticatedLayout() {
  const { theme } = useMe().user;
  useEffect(() => applyTheme(theme), [theme]);
  return <Outlet />;
}
