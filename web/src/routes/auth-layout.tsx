import type { ReactNode } from "react";
import { MailIcon } from "../components/icons";

/** The frame of the sign-in and sign-up pages. */
export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-brand">
        <span className="brand-mark">
          <MailIcon size={18} />
        </span>
        SendOps
      </div>
      <main className="card auth-card">
        <h1>{title}</h1>
        <p>{subtitle}</p>
        {children}
      </main>
      <div className="auth-footer">{footer}</div>
    </div>
  );
}
