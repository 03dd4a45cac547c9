import { useId, type ReactNode } from "react";

/** The page's h1 (text, or e.g. a HostName that wraps after its dots), description and actions. */
export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p>{description}</p>}
      </div>
      {actions && <div className="row">{actions}</div>}
    </header>
  );
}

/** A titled section; the title names the region for assistive technology. */
export function Card({
  title,
  description,
  actions,
  footer,
  children,
  danger,
  flush,
}: {
  title?: string;
  description?: ReactNode;
  actions?: ReactNode;
  footer?: ReactNode;
  children?: ReactNode;
  danger?: boolean;
  /** No padding around the body (tables, lists). */
  flush?: boolean;
}) {
  const headingId = useId();
  return (
    <section className={`card${danger ? " card-danger" : ""}`} aria-labelledby={title ? headingId : undefined}>
      {title && (
        <div className="card-header">
          <div>
            <h2 id={headingId}>{title}</h2>
            {description && <p>{description}</p>}
          </div>
          {actions}
        </div>
      )}
      {children && (flush ? children : <div className="card-body">{children}</div>)}
      {footer && <div className="card-footer">{footer}</div>}
    </section>
  );
}
