/**
 * What receiving servers answer, in each provider's own wording (as seen in real SES bounce, delay and
 * delivery events), so the demo's diagnostics look like production ones.
 */
import type { Rng } from "./demo-rng";
import type { SmtpStyle } from "./demo-world";

export interface Diagnostic {
  status: string;
  diagnosticCode: string;
}

export type HardKind = "NoEmail" | "General";
export type SoftKind = "MailboxFull" | "MessageTooLarge" | "ContentRejected" | "AttachmentRejected" | "General";

const msHost = (rng: Rng) =>
  `${rng.pick(["BN8NAM12", "CO1NAM11", "DM6NAM10", "AM6EUR05", "DB8EUR06", "SN1NAM02"])}FT${rng.int(10, 99)}${rng.pick(["0", "1", "3"])}.eop-${rng.pick(["nam12", "nam11", "eur05", "eur06"])}.prod.protection.outlook.com`;
const yahooMta = (rng: Rng) => `mta${rng.int(1000, 9999)}.mail.${rng.pick(["gq1", "bf1", "ne1", "ir2"])}.yahoo.com`;
const gsmtpId = (rng: Rng) => `${rng.pick(["a", "d", "q", "t", "x"])}${rng.int(1, 9)}-${rng.hex(20)}si${rng.int(100000, 999999)}.${rng.int(100, 999)}`;

export function deliveryResponse(style: SmtpStyle, rng: Rng, at: number, messageId: string): string {
  switch (style) {
    case "gmail":
      return `250 2.0.0 OK  ${Math.floor(at / 1000)} ${gsmtpId(rng)} - gsmtp`;
    case "microsoft":
      return `250 2.6.0 <${messageId}@email.amazonses.com> [InternalId=${rng.int(10_000_000, 99_999_999)}${rng.int(1000, 9999)}, Hostname=${rng.pick(["PH0PR12MB", "SA1PR19MB", "DU0PR08MB", "BL1PR11MB"])}${rng.int(1000, 9999)}.namprd${rng.int(10, 20)}.prod.outlook.com] ${rng.int(18000, 90000)} bytes in ${(rng.next() * 0.3 + 0.02).toFixed(3)}, ${rng.int(80, 900)}.${rng.int(100, 999)} KB/sec Queued mail for delivery`;
    case "yahoo":
      return "250 ok dirdel";
    case "apple":
      return `250 2.0.0 Ok: queued as ${rng.hex(8).toUpperCase()}-${rng.hex(4).toUpperCase()}`;
    case "gmx":
      return `250 Requested mail action okay, completed: id=${rng.hex(8).toUpperCase()}-${rng.hex(16)}`;
    case "mailru":
      return `250 OK id=1${rng.hex(5)}-${rng.hex(6)}-${rng.hex(2)}`;
    case "yandex":
      return `250 2.0.0 Ok: queued on mail-nwsmtp-mxfront-production-main-${rng.int(10, 99)}.vla.yp-c.yandex.net 1${rng.int(100000000, 999999999)}-${rng.hex(10)}`;
    case "qq":
      return "250 OK: queued as.";
    case "netease":
      return `250 Mail OK queued as mx${rng.int(10, 99)},${rng.hex(10)}--.${rng.int(10000, 99999)}S${rng.int(1, 9)} ${Math.floor(at / 1000)}`;
    case "orange":
      return `250 2.0.0 ${rng.hex(14)} mail accepted for delivery`;
    case "postfix":
      return `250 2.0.0 Ok: queued as ${rng.hex(11).toUpperCase()}`;
  }
}

export function hardBounce(style: SmtpStyle, kind: HardKind, rng: Rng, addr: string): Diagnostic {
  const domain = addr.slice(addr.indexOf("@") + 1);
  switch (style) {
    case "gmail":
      return kind === "NoEmail"
        ? { status: "5.1.1", diagnosticCode: `smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser ${gsmtpId(rng)} - gsmtp` }
        : { status: "5.2.1", diagnosticCode: `smtp; 550-5.2.1 The email account that you tried to reach is inactive. For more information, go to https://support.google.com/mail/?p=DisabledUser ${gsmtpId(rng)} - gsmtp` };
    case "microsoft":
      return kind === "NoEmail"
        ? { status: "5.5.0", diagnosticCode: `smtp; 550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [${msHost(rng)}]` }
        : { status: "5.4.1", diagnosticCode: `smtp; 550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [${msHost(rng)}]` };
    case "yahoo":
      return kind === "NoEmail"
        ? { status: "5.0.0", diagnosticCode: `smtp; 554 delivery error: dd This user doesn't have a ${domain} account (${addr}) [0] - ${yahooMta(rng)}` }
        : { status: "5.0.0", diagnosticCode: `smtp; 554 delivery error: dd Sorry your message to ${addr} cannot be delivered. This mailbox is disabled (554.30). - ${yahooMta(rng)}` };
    case "apple":
      return kind === "NoEmail"
        ? { status: "5.1.1", diagnosticCode: `smtp; 550 5.1.1 <${addr}>: user does not exist` }
        : { status: "5.2.1", diagnosticCode: `smtp; 550 5.2.1 <${addr}>: user account is disabled` };
    case "gmx":
      return { status: "5.0.0", diagnosticCode: "smtp; 550 Requested action not taken: mailbox unavailable" };
    case "mailru":
      return { status: "5.0.0", diagnosticCode: `smtp; 550 Message was not accepted -- invalid mailbox.  Local mailbox ${addr} is unavailable: user not found` };
    case "yandex":
      return { status: "5.7.1", diagnosticCode: "smtp; 550 5.7.1 No such user!" };
    case "qq":
      return { status: "5.0.0", diagnosticCode: "smtp; 550 Mailbox not found or access denied" };
    case "netease":
      return { status: "5.0.0", diagnosticCode: `smtp; 550 User not found: ${addr}` };
    case "orange":
      return { status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]" };
    case "postfix":
      return kind === "NoEmail"
        ? { status: "5.1.1", diagnosticCode: `smtp; 550 5.1.1 <${addr}>: Recipient address rejected: User unknown in virtual mailbox table` }
        : { status: "5.1.1", diagnosticCode: `smtp; 550 5.1.1 <${addr}>: Recipient address rejected: User unknown in local recipient table` };
  }
}

export function softBounce(style: SmtpStyle, kind: SoftKind, rng: Rng, addr: string): Diagnostic {
  switch (kind) {
    case "MailboxFull":
      if (style === "gmail") {
        return { status: "5.2.2", diagnosticCode: `smtp; 552-5.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp ${gsmtpId(rng)} - gsmtp` };
      }
      if (style === "yahoo") return { status: "5.2.2", diagnosticCode: `smtp; 552 1 Requested mail action aborted, mailbox full - ${yahooMta(rng)}` };
      if (style === "microsoft") return { status: "5.2.2", diagnosticCode: `smtp; 552 5.2.2 Mailbox full; STOREDRV.Deliver; mailbox quota exceeded [${msHost(rng)}]` };
      return { status: "5.2.2", diagnosticCode: `smtp; 552 5.2.2 <${addr}>: user is over quota` };
    case "MessageTooLarge":
      return { status: "5.3.4", diagnosticCode: "smtp; 552 5.3.4 Message size exceeds fixed maximum message size" };
    case "ContentRejected":
      if (style === "gmail") {
        return { status: "5.7.1", diagnosticCode: `smtp; 550-5.7.1 [192.0.2.87] Gmail has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to https://support.google.com/mail/?p=UnsolicitedMessageError ${gsmtpId(rng)} - gsmtp` };
      }
      if (style === "microsoft") return { status: "5.7.1", diagnosticCode: `smtp; 550 5.7.1 Message rejected as spam by Content Filtering. [${msHost(rng)}]` };
      return { status: "5.7.1", diagnosticCode: "smtp; 554 5.7.1 Message rejected due to content restrictions" };
    case "AttachmentRejected":
      return { status: "5.7.1", diagnosticCode: "smtp; 550 5.7.1 Attachment type not allowed" };
    case "General":
      return { status: "4.0.0", diagnosticCode: "smtp; 450 4.0.0 Temporary failure, retries exhausted" };
  }
}

/**
 * The non-delivery report of a gateway that accepted the message first (250 OK) and found the mailbox
 * gone afterwards: Office 365 for Microsoft-hosted companies, Mimecast or Proofpoint in front of others.
 * SES reports these as Transient/General bounces.
 */
export function asyncNdr(style: SmtpStyle, rng: Rng, addr: string): Diagnostic {
  if (style === "microsoft") {
    return { status: "5.1.10", diagnosticCode: `smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ${addr} not found by SMTP address lookup [${msHost(rng)}]` };
  }
  return rng.chance(0.5)
    ? { status: "5.0.0", diagnosticCode: `smtp; 550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [${rng.hex(22)}.${rng.int(10, 99)}]` }
    : { status: "5.1.1", diagnosticCode: `smtp; 550 5.1.1 User Unknown (in reply to RCPT TO command; gateway ${rng.hex(8)}.pphosted.com)` };
}

export interface Delay extends Diagnostic {
  delayType: string;
}

export function delay(style: SmtpStyle, rng: Rng, addr: string): Delay {
  const domain = addr.slice(addr.indexOf("@") + 1);
  switch (style) {
    case "gmail":
      return { delayType: "SpamDetected", status: "4.7.28", diagnosticCode: `smtp; 421-4.7.28 [192.0.2.87] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. ${gsmtpId(rng)} - gsmtp` };
    case "microsoft":
      return { delayType: "IPFailure", status: "4.7.500", diagnosticCode: `smtp; 451 4.7.500 Server busy. Please try again later from [192.0.2.87]. (S77719) [${msHost(rng)}]` };
    case "yahoo":
      return { delayType: "IPFailure", status: "4.7.0", diagnosticCode: "smtp; 421 4.7.0 [TSS04] Messages from 192.0.2.87 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes" };
    case "apple":
      return { delayType: "RecipientServerError", status: "4.7.0", diagnosticCode: "smtp; 421 4.7.0 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137" };
    case "postfix":
      return rng.chance(0.6)
        ? { delayType: "RecipientServerError", status: "4.2.0", diagnosticCode: `smtp; 450 4.2.0 <${addr}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/${domain}.html` }
        : { delayType: "TransientCommunicationFailure", status: "4.4.7", diagnosticCode: "smtp; 421 4.4.7 Connection timed out while talking to remote host" };
    default:
      return rng.chance(0.5)
        ? { delayType: "TransientCommunicationFailure", status: "4.4.1", diagnosticCode: "smtp; 421 4.4.1 Connection refused by remote host" }
        : { delayType: "MailboxFull", status: "4.2.2", diagnosticCode: `smtp; 452 4.2.2 <${addr}>: mailbox is full, try again later` };
  }
}
