import { useState } from "react";
import { useNavigate } from "@tanstack/react-router";
import { useCreateTrackingDomain, useTrackingDomains, type TrackingDomain } from "../../api/tracking-domains";
import { isHostname, type TrackingProtocol } from "../../../../worker/services/tracking-domains/rules";
import { Alert } from "../../components/alert";
import { fieldError, FormError, SubmitButton, TextField } from "../../components/form";
import { GuardedButton } from "../../components/guarded-button";
import { HostName } from "../../components/host-name";
import { LinkIcon, PlusIcon } from "../../components/icons";
import { Modal } from "../../components/modal";
import { Card, PageHeader } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { Table } from "../../components/table";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime, formatRelative } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { DnsRecordList, ProtocolBadge, TrackingStatusBadge } from "./parts";

/** Tracking Domains (Infrastructure): branded open and click tracking subdomains, each with its SES identity. */
export function TrackingDomainsPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const tz = useTimeZone();
  const navigate = useNavigate();
  const domains = useTrackingDomains(workspace.id);
  const [adding, setAdding] = useState(false);
  const full = domains.data && domains.data.data.length >= domains.data.limit;
  const blocker =
    blockerFor(scope, "domains.manage", "add tracking domains") ??
    (full ? `This workspace has its ${domains.data!.limit} tracking domains: remove an unused one first.` : null);
  const open = (d: TrackingDomain) => void navigate({ to: "/w/$slug/tracking-domains/$id", params: { slug: workspace.slug, id: d.id } });

  return (
    <div className="stack">
      <PageHeader
        title="Tracking Domains"
        description="Branded subdomains for SES open and click tracking links, so links carry your domain and your reputation."
        actions={
          <GuardedButton blocker={blocker} className="btn btn-primary" onClick={() => setAdding(true)}>
            <PlusIcon size={14} />
            Add Tracking Domain
          </GuardedButton>
        }
      />
      <Card
        title="Tracking domains"
        description={domains.data ? `${domains.data.data.length} of ${domains.data.limit} used` : undefined}
        flush
      >
        <QueryView
          query={domains}
          loadingLabel="Loading tracking domains…"
          errorTitle="Could not load the tracking domains"
          isEmpty={(d) => d.data.length === 0}
          empty={
            <EmptyState icon={LinkIcon} title="No tracking domains yet">
              Without one, SES uses its shared tracking domain. Add a subdomain such as track.yourdomain.com for branded links.
            </EmptyState>
          }
        >
          {(d) => (
            <Table
              label="Tracking domains"
              className="clickable-rows tracking-table"
              head={
                <>
                  <th scope="col">Subdomain</th>
                  <th scope="col">Protocol</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </>
              }
            >
              {d.data.map((t) => (
                <tr key={t.id} onClick={() => open(t)}>
                  <td>
                    <button type="button" className="row-link" onClick={(e) => (e.stopPropagation(), open(t))}>
                      <HostName name={t.subdomain} className="mono" />
                    </button>
                  </td>
                  <td>
                    <ProtocolBadge protocol={t.protocol} />
                  </td>
                  <td>
                    <TrackingStatusBadge status={t.status} />
                  </td>
                  <td className="muted nowrap" title={formatDateTime(t.createdAt, tz)}>
                    {formatRelative(t.createdAt)}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </Card>
      <AddTrackingDomainWizard open={adding} onClose={() => setAdding(false)} onDone={(t) => (setAdding(false), open(t))} />
    </div>
  );
}

type Step = "subdomain" | "protocol" | "records";

/** Subdomain → protocol (+ CDN domain for HTTPS) → Create Domain → the DNS records → Continue to Verification. */
function AddTrackingDomainWizard({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: (t: TrackingDomain) => void }) {
  const { workspace } = useWorkspace();
  const create = useCreateTrackingDomain(workspace.id);
  const [step, setStep] = useState<Step>("subdomain");
  const [subdomain, setSubdomain] = useState("");
  const [protocol, setProtocol] = useState<TrackingProtocol>("http");
  const [cdnDomain, setCdnDomain] = useState("");
  const [touched, setTouched] = useState(false);
  const normalised = subdomain.trim().toLowerCase().replace(/\.$/, "");
  const localError = touched && !isHostname(normalised) ? "Enter a subdomain such as track.yourdomain.com (it must contain a dot)." : undefined;

  const close = () => {
    onClose();
    setStep("subdomain");
    setSubdomain("");
    setProtocol("http");
    setCdnDomain("");
    setTouched(false);
    create.reset();
  };
  const submit = () => {
    if (step === "subdomain") {
      setTouched(true);
      if (isHostname(normalised)) setStep("protocol");
    } else if (step === "protocol") {
      create.mutate(
        { subdomain: normalised, protocol, cdnDomain: protocol === "https" ? cdnDomain.trim() : undefined },
        { onSuccess: () => setStep("records") },
      );
    } else if (create.data) {
      const created = create.data;
      close();
      onDone(created);
    }
  };

  return (
    <Modal
      open={open}
      title={step === "records" ? "Add these DNS records" : "Add Tracking Domain"}
      onClose={close}
      onSubmit={submit}
      footer={
        step === "records" ? (
          <button type="submit" className="btn btn-primary">
            Continue to Verification
          </button>
        ) : (
          <>
            <button type="button" className="btn" onClick={step === "protocol" ? () => setStep("subdomain") : close}>
              {step === "protocol" ? "Back" : "Cancel"}
            </button>
            {step === "subdomain" ? (
              <button type="submit" className="btn btn-primary" disabled={normalised === ""}>
                Continue
              </button>
            ) : (
              <SubmitButton pending={create.isPending} disabled={protocol === "https" && cdnDomain.trim() === ""}>
                Create Domain
              </SubmitButton>
            )}
          </>
        )
      }
    >
      {step === "subdomain" && (
        <div className="stack-sm">
          <TextField
            label="Subdomain"
            hint="A subdomain used only for tracking, e.g. track.yourdomain.com or links.yourdomain.com."
            value={subdomain}
            onValueChange={(v) => (setSubdomain(v), setTouched(false), create.reset())}
            autoFocus
            required
            spellCheck={false}
            autoCapitalize="off"
            error={localError}
          />
        </div>
      )}
      {step === "protocol" && (
        <div className="stack-sm">
          <p className="muted">
            Tracking links for <strong className="mono">{normalised}</strong>:
          </p>
          <div className="protocol-choice" role="radiogroup" aria-label="Protocol">
            <label>
              <input type="radio" name="protocol" value="http" checked={protocol === "http"} onChange={() => setProtocol("http")} />
              <span>
                <strong>HTTP</strong>
                <p>Simple setup: the CNAME points directly at the SES tracking endpoint of your AWS region.</p>
              </span>
            </label>
            <label>
              <input type="radio" name="protocol" value="https" checked={protocol === "https"} onChange={() => setProtocol("https")} />
              <span>
                <strong>HTTPS</strong>
                <p>Needs a CDN distribution (e.g. CloudFront) with your certificate that terminates TLS and proxies to SES.</p>
              </span>
            </label>
          </div>
          {protocol === "https" && (
            <TextField
              label="CDN Domain"
              hint="The distribution's host name, e.g. d1234567890.cloudfront.net."
              value={cdnDomain}
              onValueChange={setCdnDomain}
              required
              spellCheck={false}
              autoCapitalize="off"
              error={fieldError(create.error, "cdnDomain")}
            />
          )}
          {/* A refused subdomain (taken, invalid, the limit) shows here too: Back changes it. */}
          <FormError error={create.error} fieldNames={["cdnDomain"]} />
        </div>
      )}
      {step === "records" && create.data && (
        <div className="stack-sm">
          <Alert variant="success" title={`${create.data.subdomain} was created`}>
            SES created an email identity for it in {create.data.region}. Add these records at your DNS provider; DNS changes usually
            show within minutes.
          </Alert>
          <DnsRecordList records={create.data.records} />
        </div>
      )}
    </Modal>
  );
}
