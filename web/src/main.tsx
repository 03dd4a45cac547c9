import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { ApiError } from "./api/client";
import { ToastProvider } from "./components/toast";
import { initTheme } from "./lib/theme";
import { createAppRouter } from "./router";
import "./styles.css";

initTheme();

/** A request that finds the session gone (signed out elsewhere, expired) sends the user to sign in. */
function onApiError(err: unknown) {
  if (!(err instanceof ApiError) || !err.isUnauthenticated) return;
  const { pathname, href } = router.state.location;
  if (pathname === "/sign-in" || pathname === "/sign-up") return;
  queryClient.clear();
  void router.navigate({
    to: "/sign-in",
    search: { redirect: href, notice: err.code === "SESSION_EXPIRED" ? "session-expired" : undefined },
  });
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

const router = createAppRouter(queryClient);

const render = () =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </QueryClientProvider>
    </StrictMode>,
  );

// index.html's loading shell stays until the first page has loaded (who is signed in, the page's code):
// rendering earlier would replace it with an empty page for as long as that takes. A failed load renders
// too, and the router shows its error.
router.load().then(render, render);
