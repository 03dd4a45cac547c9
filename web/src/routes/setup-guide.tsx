import { Alert } from "../components/alert";
import { CloudIcon, SendIcon, ShieldCheckIcon, AtSignIcon, type IconComponent } from "../components/icons";
import { PageHeader } from "../components/page";
import { useWorkspace } from "../workspace";

/** The four phases of getting-started__creating-your-account.md, as a read-only overview. */
const PHASES: { title: string; icon: IconComponent; description: string; points: string[] }[] = [
  {
    title: "AWS Integration",
    icon: CloudIcon,
    description:
      "Connect your AWS account through a cross-account IAM role. Automated setup (recommended) launches a CloudFormation stack that provisions the role; manual setup gives you the policy document in CloudFormation and Terraform formats. Paste the Role ARN and validate it, or delegate this step to a teammate with AWS access.",
    points: [
      "AWS Region selector for where SES is configured",
      "Permission breakdown by category",
      "Services SendOps never accesses (EC2, S3, RDS, Lambda, …)",
      "Role ARN validation",
    ],
  },
  {
    title: "Validation",
    icon: ShieldCheckIcon,
    description:
      "Confirm that the stack deployed correctly and your SES configuration is active. Eleven checks run, each passing or failing on its own; sandbox accounts pass the account-status check with a warning.",
    points: [
      "SES configuration set and EventBridge rule",
      "Webhook target",
      "Channel, template and contact-list permissions",
      "SES enabled in region, account status and sending limits",
      "Verified identities",
    ],
  },
  {
    title: "Identities & resources",
    icon: AtSignIcon,
    description:
      "Add and verify your sending domains and email identities, and review the SES resources SendOps picked up from your account.",
    points: [
      "Domain identities with their DNS records",
      "Email identities",
      "Configuration sets you can adopt as channels",
      "A summary of your SES contact list",
    ],
  },
  {
    title: "Test email",
    icon: SendIcon,
    description:
      "Send a test email to confirm the pipeline end to end. Once it is delivered, SendOps shows “Email delivered and confirmed” with the From and To addresses and the time. New SES accounts start in sandbox mode and can only send to verified addresses.",
    points: ["Send a test to any verified address", "Delivery confirmed from SES events"],
  },
];

export function SetupGuidePage() {
  const { workspace } = useWorkspace();
  return (
    <div className="stack">
      <PageHeader
        title="Setup Guide"
        description={`Four phases connect ${workspace.name} to Amazon SES and confirm that everything works end to end.`}
      />
      <Alert variant="info" title="Overview only">
        Connecting AWS arrives with the AWS connection feature. Until then, this page describes each phase; nothing here
        changes your AWS account.
      </Alert>
      <ol className="phases" aria-label="Setup phases">
        {PHASES.map((phase, i) => {
          const Icon = phase.icon;
          return (
            <li key={phase.title} className="card phase">
              <span className="phase-number" aria-hidden="true">
                {i + 1}
              </span>
              <div>
                <div className="page-eyebrow">Phase {i + 1}</div>
                <h2 className="row">
                  <Icon className="subtle" />
                  {phase.title}
                </h2>
                <p>{phase.description}</p>
                <ul>
                  {phase.points.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
