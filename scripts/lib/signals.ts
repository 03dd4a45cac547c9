/** Ctrl-C (SIGINT) and SIGTERM for long script jobs that must save their progress before exiting. */

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs `fn` with `onSignal` as the process's only SIGINT/SIGTERM handler, then restores the previous
 * ones. wrangler's local D1 proxy (`localDb`) adds handlers that call `process.exit()` at once — with
 * exit code 0 —, which would end a job before it saved its progress; the job closes the proxy itself.
 */
export async function withSignalHandler<T>(onSignal: (signal: NodeJS.Signals) => void, fn: () => Promise<T>): Promise<T> {
  const previous = SIGNALS.map((s) => [s, process.rawListeners(s) as ((signal: NodeJS.Signals) => void)[]] as const);
  for (const s of SIGNALS) process.removeAllListeners(s).on(s, onSignal);
  try {
    return await fn();
  } finally {
    for (const [s, listeners] of previous) {
      process.removeAllListeners(s);
      for (const l of listeners) process.on(s, l);
    }
  }
}
