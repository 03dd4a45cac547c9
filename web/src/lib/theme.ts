import type { Me } from "../../../worker/services/accounts";

export type ThemePreference = Me["user"]["theme"];

const STORAGE_KEY = "sendops.theme";
const media = () => window.matchMedia("(prefers-color-scheme: dark)");
let current: ThemePreference = "system";

function paint() {
  const dark = current === "dark" || (current === "system" && media().matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

/**
 * Applies a theme preference to the document now and remembers it, so the next page load (before the
 * profile arrives, e.g. on the sign-in page) starts in the same theme.
 */
export function applyTheme(pref: ThemePreference): void {
  current = pref;
  localStorage.setItem(STORAGE_KEY, pref);
  paint();
}

/** Called once at startup: the remembered preference, and repaint when the OS setting flips. */
export function initTheme(): void {
  const saved = localStorage.getItem(STORAGE_KEY);
  current = saved === "light" || saved === "dark" || saved === "system" ? saved : "system";
  paint();
  media().addEventListener("change", paint);
}
