import { Fragment } from "react";

/**
 * A domain or email address that may wrap, but only after a dot or the @ (never inside a label), so a
 * long name takes two lines in a narrow column instead of widening its table.
 */
export function HostName({ name, className }: { name: string; className?: string }) {
  const parts = name.split(/(?<=[.@])/);
  return (
    <span className={className ? `host-name ${className}` : "host-name"}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
