import { useState } from "react";
import { isDomainName, isEmailAddress, useAddIdentity, type IdentityView } from "../../api/identities";
import { fieldError, FormError, SubmitButton, TextField } from "../../components/form";
import { Modal } from "../../components/modal";
import { useToast } from "../../components/toast";
import { DnsRecords } from "./dns-records";

/**
 * Add Domain / Add Email Identity. A domain's dialog goes on to show the DNS records SES asks for, so
 * they can be copied at once; an address closes (SES mails it a verification link).
 */
export function AddIdentityDialog({ orgId, kind, region, onClose }: { orgId: string; kind: "domain" | "email"; region: string | null; onClose: () => void }) {
  const notify = useToast();
  const add = useAddIdentity(orgId);
  const [name, setName] = useState("");
  const [touched, setTouched] = useState(false);
  const [added, setAdded] = useState<IdentityView | null>(null);
  const value = name.trim().toLowerCase();
  const valid = kind === "domain" ? isDomainName(value) : isEmailAddress(value);
  const field = kind === "domain" ? "domain" : "email";
  const localError = touched && value !== "" && !valid ? (kind === "domain" ? "Enter a domain such as mail.example.com, without http:// or a path." : "Enter an email address such as alerts@example.com.") : undefined;
  const title = added ? `DNS records for ${added.identity}` : kind === "domain" ? "Add Domain" : "Add Email Identity";

  const submit = () => {
    if (added) return onClose();
    setTouched(true);
    if (!valid) return;
    add.mutate(kind === "domain" ? { kind, domain: value } : { kind, email: value }, {
      onSuccess: (view) => {
        if (kind === "domain") setAdded(view);
        else {
          notify(`${view.identity} was added. SES sent it a verification email.`);
          onClose();
        }
      },
    });
  };

  return (
    <Modal
      open
      title={title}
      onClose={onClose}
      onSubmit={submit}
      footer={
        added ? (
          <button type="submit" className="btn btn-primary">
            Done
          </button>
        ) : (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <SubmitButton pending={add.isPending} disabled={value === ""}>
              {kind === "domain" ? "Add" : "Add Email Identity"}
            </SubmitButton>
          </>
        )
      }
    >
      {added ? (
        <DnsRecords identity={added} />
      ) : (
        <div className="stack-sm">
          <TextField
            label={kind === "domain" ? "Domain" : "Email address"}
            hint={
              kind === "domain"
                ? `The domain you send from, e.g. mail.example.com. SES creates it in ${region ?? "your connected region"} and gives three DKIM records to publish.`
                : `SES creates the identity in ${region ?? "your connected region"} and emails the address a verification link.`
            }
            value={name}
            onValueChange={setName}
            onBlur={() => setTouched(true)}
            autoFocus
            required
            inputMode={kind === "email" ? "email" : "url"}
            autoCapitalize="off"
            spellCheck={false}
            error={localError ?? fieldError(add.error, field)}
          />
          <FormError error={add.error} fieldNames={[field]} />
        </div>
      )}
    </Modal>
  );
}
