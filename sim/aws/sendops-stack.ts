/**
 * The SendOps stack as the stand-in seeds it into the demo account, and the permission policy a
 * configured role gets by default: both from SendOps' own generator (worker/aws/stack), as if the
 * account's owner had deployed the template the Setup Guide gave them. The stand-in's CloudFormation
 * interprets it like any other template.
 */
import { cloudFormationTemplate, policyActions, templateJson } from "../../worker/aws/stack";

/** The SendOps policy of the current template version. */
export const SENDOPS_POLICY_ACTIONS: readonly string[] = policyActions();

/** The generic template (parameters supplied at CreateStack). */
export const sendopsTemplateBody = () => templateJson(cloudFormationTemplate());
