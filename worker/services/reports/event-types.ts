import type { EventType } from "../../db/schema";
import type { SesEventType } from "../ingest/schemas";

/** Stored event type → the SES name the API shows and filters by (the inverse of ingest's normalisation). */
export const SES_TYPE_OF: Record<EventType, SesEventType> = {
  send: "Send",
  delivery: "Delivery",
  bounce: "Bounce",
  complaint: "Complaint",
  reject: "Reject",
  open: "Open",
  click: "Click",
  delivery_delay: "DeliveryDelay",
  rendering_failure: "Rendering Failure",
  subscription: "Subscription",
};

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]/g, "");
const STORED_OF = new Map(Object.entries(SES_TYPE_OF).map(([stored, ses]) => [squash(ses), stored as EventType]));

/** An SES type name (any case; "Rendering Failure", "RenderingFailure" and "rendering_failure" alike) → stored type. */
export const storedTypeOf = (name: string): EventType | undefined => STORED_OF.get(squash(name));
