import { Link } from "@tanstack/react-router";
import type { MeWorkspace } from "../api/account";
import { Alert } from "./alert";
import { LockIcon } from "./icons";
import { EmptyState } from "./states";

const DAY_MS = 24 * 3600 * 1000;

/** The workspace requires MFA the user lacks and their 7-day grace is over: its pages are blocked. */
export const twoFactorBlocked = (w: MeWorkspace, now = Date.now()) => w.twoFactorGraceEndsAt !== null && now >= w.twoFactorGraceEndsAt;

const ProfileLink = ({ slug, children }: { slug: string; children: string }) => (
  <Link to="/w/$slug/profile" params={{ slug }} hash="security">
    {children}
  </Link>
);

/** Within the grace: how many days are left to set MFA up. */
export function TwoFactorBanner({ workspace, now = Date.now() }: { workspace: MeWorkspace; now?: number }) {
  if (workspace.twoFactorGraceEndsAt === null || twoFactorBlocked(workspace, now)) return null;
  const days = Math.max(1, Math.ceil((workspace.twoFactorGraceEndsAt - now) / DAY_MS));
  return (
    <div className="two-factor-banner">
      <Alert variant="warning" role="status" title="Two-factor authentication required">
        {workspace.name} requires multi-factor authentication. Set it up within {days} {days === 1 ? "day" : "days"} to keep access:{" "}
        <ProfileLink slug={workspace.slug}>Profile → Security</ProfileLink>.
      </Alert>
    </div>
  );
}

/** What a blocked member sees instead of the workspace's pages (the API answers 403 TWO_FACTOR_REQUIRED). */
export function TwoFactorRequiredPage({ workspace }: { workspace: MeWorkspace }) {
  return (
    <EmptyState
      icon={LockIcon}
      title="Set up two-factor authentication"
      action={
        <Link className="btn btn-primary" to="/w/$slug/profile" params={{ slug: workspace.slug }} hash="security">
          Set up 2FA
        </Link>
      }
    >
      {workspace.name} requires multi-factor authentication of every member, and your 7-day grace period has ended. Set up an
      authenticator app or a security key in Profile → Security to regain access.
    </EmptyState>
  );
}
