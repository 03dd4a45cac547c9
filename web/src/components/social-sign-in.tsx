/**
 * "Continue with GitHub / Google" on the sign-in and sign-up pages, and the messages a provider flow
 * returns with (`?error=CODE&provider=…` on /sign-in or /profile). Kept in one component so the sign-in
 * page's other steps can change around it.
 */
import { signInWithUrl, useProviders, type OAuthProviderId } from "../api/oauth";
import { Alert } from "./alert";
import { GitHubIcon, GoogleIcon } from "./icons";

export const PROVIDER_ICONS = { github: GitHubIcon, google: GoogleIcon };
const NAMES: Record<OAuthProviderId, string> = { github: "GitHub", google: "Google" };

const MESSAGES: Record<string, (name: string) => string> = {
  OAUTH_DENIED: (name) => `${name} sign-in was cancelled. Nothing was changed.`,
  OAUTH_STATE_MISMATCH: (name) => `The ${name} sign-in could not be matched to this browser (it may have expired or been started elsewhere). Try again.`,
  OAUTH_FAILED: (name) => `${name} sign-in failed. Try again in a moment.`,
  OAUTH_EMAIL_UNVERIFIED: (name) => `Your ${name} account has no verified email address. Verify your email with ${name} and try again, or sign up with email and password.`,
  OAUTH_LINK_REFUSED: (name) =>
    `A SendOps account with this email already exists, but its email is not verified yet. Sign in with your email and password first, then connect ${name} from Profile.`,
  OAUTH_ALREADY_CONNECTED: (name) => `This ${name} account is already connected to another SendOps account, or another ${name} account is connected here. Disconnect it first.`,
};

export const isOAuthError = (code: unknown): code is string => typeof code === "string" && code in MESSAGES;
export const isProvider = (v: unknown): v is OAuthProviderId => v === "github" || v === "google";

export function OAuthErrorAlert({ code, provider }: { code: string; provider?: OAuthProviderId }) {
  return (
    <Alert variant="danger" role="alert">
      {MESSAGES[code]!(provider ? NAMES[provider] : "Provider")}
    </Alert>
  );
}

/** The provider buttons with an "or" divider; nothing while loading or when no provider is configured. */
export function SocialSignIn() {
  const { data } = useProviders();
  if (!data?.providers.length) return null;
  return (
    <div className="social-sign-in">
      {data.providers.map((p) => {
        const Icon = PROVIDER_ICONS[p.id];
        return (
          <a key={p.id} className="btn btn-block" href={signInWithUrl(p.id)}>
            <Icon size={16} />
            Continue with {p.name}
          </a>
        );
      })}
      <div className="divider-or" role="separator">
        or
      </div>
    </div>
  );
}
