import { useMemo, useState, type FormEvent } from "react";
import { useChangePassword, useMe, useUpdateProfile, type Me } from "../api/account";
import { errorMessage } from "../api/client";
import { fieldError, FormError, SelectField, SubmitButton, TextField } from "../components/form";
import { useQuery } from "@tanstack/react-query";
import { connectionsQuery } from "../api/oauth";
import { ChangeEmailCard, EmailVerificationBanner } from "../components/account-email";
import { CloseAccountCard } from "../components/close-account";
import { ConnectedAccountsCard } from "../components/connected-accounts";
import { LogOutIcon } from "../components/icons";
import { Card, PageHeader } from "../components/page";
import { useSignOutAndLeave } from "../components/sign-out";
import { useToast } from "../components/toast";
import { PendingInvitationsCard } from "./profile-invitations";
import { applyTheme, type ThemePreference } from "../lib/theme";
import { browserTimeZone, effectiveTimeZone, timeZoneOptions } from "../lib/time";
import { MfaCard } from "./profile-security";

const NAME_MAX = 200;
const MIN_PASSWORD = 8;
type User = Me["user"];

export function ProfilePage() {
  const me = useMe();
  const { user } = me;
  const signOut = useSignOutAndLeave();
  // Email change and password are for accounts with a password (not GitHub/Google-only ones).
  const hasPassword = useQuery(connectionsQuery).data?.hasPassword ?? true;
  return (
    <div className="stack">
      <PageHeader
        title="Profile"
        description="Your personal settings. They apply to you in every workspace and do not affect other members."
        actions={
          <button type="button" className="btn" onClick={signOut.run} disabled={signOut.pending}>
            <LogOutIcon />
            Sign out
          </button>
        }
      />
      {!user.emailVerified && <EmailVerificationBanner email={user.email} />}
      <AccountCard user={user} />
      <DateTimeCard user={user} />
      <AppearanceCard user={user} />
      {hasPassword && <ChangeEmailCard email={user.email} />}
      {hasPassword && <PasswordCard email={user.email} />}
      <MfaCard timeZone={effectiveTimeZone(user.timezone)} />
      <ConnectedAccountsCard />
      <PendingInvitationsCard />
      <CloseAccountCard me={me} hasPassword={hasPassword} />
    </div>
  );
}

function AccountCard({ user }: { user: User }) {
  const update = useUpdateProfile();
  const notify = useToast();
  const [name, setName] = useState(user.name);
  const problem = !name.trim() ? "Display name cannot be empty." : undefined;
  const dirty = name.trim() !== user.name;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (problem || !dirty) return;
    update.mutate({ name: name.trim() }, { onSuccess: () => notify("Display name saved.") });
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card
        title="Account details"
        footer={
          <SubmitButton pending={update.isPending} disabled={!dirty || Boolean(problem)}>
            Save changes
          </SubmitButton>
        }
      >
        <div className="form-grid">
          <TextField
            label="Display name"
            value={name}
            onValueChange={setName}
            maxLength={NAME_MAX}
            autoComplete="name"
            hint="Shown to your teammates and in the audit log."
            error={fieldError(update.error, "name", dirty ? problem : undefined)}
          />
          <TextField label="Email address" value={user.email} onValueChange={() => {}} disabled hint={user.emailVerified ? "Used to sign in. Verified." : "Used to sign in. Not verified yet."} />
        </div>
        <FormError error={update.error} fieldNames={["name"]} />
      </Card>
    </form>
  );
}

function DateTimeCard({ user }: { user: User }) {
  const update = useUpdateProfile();
  const notify = useToast();
  const browserTz = browserTimeZone();
  const zones = useMemo(() => timeZoneOptions([browserTz, user.timezone]), [browserTz, user.timezone]);
  const [follow, setFollow] = useState(user.timezone === null);
  const [tz, setTz] = useState(user.timezone ?? browserTz);
  const [weekStart, setWeekStart] = useState(user.weekStart);

  const nextTz = follow ? null : tz;
  const dirty = nextTz !== user.timezone || weekStart !== user.weekStart;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ timezone: nextTz, weekStart }, { onSuccess: () => notify("Date and time preferences saved.") });
  };

  return (
    <form onSubmit={onSubmit}>
      <Card
        title="Date and time"
        description="How dates and times are shown to you across the dashboard."
        footer={
          <SubmitButton pending={update.isPending} disabled={!dirty}>
            Save changes
          </SubmitButton>
        }
      >
        <div className="form">
          <FormError error={update.error} fieldNames={["timezone", "weekStart"]} />
          <label className="switch">
            <input type="checkbox" role="switch" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
            <span>
              Follow browser timezone <span className="muted">({browserTz.replace(/_/g, " ")})</span>
            </span>
          </label>
          <div className="form-grid">
            <SelectField
              label="Timezone"
              value={follow ? browserTz : tz}
              onValueChange={setTz}
              options={zones}
              disabled={follow}
              error={fieldError(update.error, "timezone")}
            />
            <SelectField
              label="Week starts on"
              value={weekStart}
              onValueChange={(v) => setWeekStart(v as User["weekStart"])}
              options={[
                { value: "monday", label: "Monday" },
                { value: "sunday", label: "Sunday" },
              ]}
              hint="Used by calendar views and weekly report ranges."
            />
          </div>
        </div>
      </Card>
    </form>
  );
}

const THEMES: { value: ThemePreference; label: string }[] = [
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
  { value: "system", label: "System" },
];

/** The theme applies the moment it is picked and is saved to the profile in the background. */
function AppearanceCard({ user }: { user: User }) {
  const update = useUpdateProfile();
  const notify = useToast();

  const pick = (theme: ThemePreference) => {
    applyTheme(theme);
    update.mutate(
      { theme },
      {
        onError: (err) => {
          applyTheme(user.theme);
          notify(errorMessage(err), "error");
        },
      },
    );
  };

  return (
    <Card title="Appearance" description="System follows your operating system's light or dark setting.">
      <div className="segmented" role="radiogroup" aria-label="Theme">
        {THEMES.map((t) => (
          <label key={t.value}>
            <input
              type="radio"
              name="theme"
              value={t.value}
              checked={(update.isPending ? update.variables?.theme : user.theme) === t.value}
              onChange={() => pick(t.value)}
            />
            {t.label}
          </label>
        ))}
      </div>
    </Card>
  );
}

function PasswordCard({ email }: { email: string }) {
  const change = useChangePassword();
  const notify = useToast();
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const tooShort = newPassword.length > 0 && newPassword.length < MIN_PASSWORD;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!currentPassword || newPassword.length < MIN_PASSWORD) return;
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          setCurrent("");
          setNew("");
          notify("Password changed. Your other sessions were signed out.");
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card
        title="Password"
        description="You need your current password to set a new one."
        footer={
          <SubmitButton pending={change.isPending} disabled={!currentPassword || newPassword.length < MIN_PASSWORD}>
            Change password
          </SubmitButton>
        }
      >
        <div className="form">
          {/* Lets password managers tie the new password to the account. */}
          <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
          <FormError error={change.error} fieldNames={["currentPassword", "newPassword"]} />
          <div className="form-grid">
            <TextField
              label="Current password"
              type="password"
              autoComplete="current-password"
              value={currentPassword}
              onValueChange={setCurrent}
              error={fieldError(change.error, "currentPassword")}
            />
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onValueChange={setNew}
              hint={`At least ${MIN_PASSWORD} characters.`}
              error={fieldError(change.error, "newPassword", tooShort ? `Use at least ${MIN_PASSWORD} characters.` : undefined)}
            />
          </div>
        </div>
      </Card>
    </form>
  );
}
