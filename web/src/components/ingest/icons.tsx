import type { SVGProps } from "react";

/** Icons of the Ingest pages, drawn like those in components/icons.tsx (24×24, stroke, currentColor). */
type Props = SVGProps<SVGSVGElement> & { size?: number };

function Svg({ size = 16, children, ...props }: Props) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    >
      {children}
    </svg>
  );
}

/** Events flowing into a tray. */
export const IngestIcon = (p: Props) => (
  <Svg {...p}>
    <path d="M12 3v10M8 9l4 4 4-4" />
    <path d="M3 14h4l2 3h6l2-3h4v5a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />
  </Svg>
);

export const RotateIcon = (p: Props) => (
  <Svg {...p}>
    <path d="M21 12a9 9 0 1 1-2.6-6.4" />
    <path d="M21 3v6h-6" />
  </Svg>
);

export const ReplayIcon = (p: Props) => (
  <Svg {...p}>
    <path d="M3 12a9 9 0 1 0 2.6-6.4" />
    <path d="M3 3v6h6" />
    <path d="m10 9 5 3-5 3z" />
  </Svg>
);

export const FileWarningIcon = (p: Props) => (
  <Svg {...p}>
    <path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z" />
    <path d="M14 3v6h6M12 12v3M12 18h.01" />
  </Svg>
);
