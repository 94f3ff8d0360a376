import type { PropDefinition } from './pipedream-types.ts'

// Every prop is optional: left empty, the step reads the Pipedream environment variable, which
// can be changed without redeploying (ngrok URLs rotate).

export const secretProp: PropDefinition = {
  type: 'string',
  label: 'UP42 webhook secret',
  description:
    'Leave empty to use the environment variable UP42_WEBHOOK_SECRET (or the original up42_webhook_secret_zwei / up42_webhook_secret).',
  optional: true,
  secret: true,
}

export const notifiableStatusesProp: PropDefinition = {
  type: 'string',
  label: 'Notifiable statuses',
  description:
    'Comma-separated, e.g. "FAILED,FULFILLED". Empty: NOTIFIABLE_STATUSES, else job ERROR/FAILED/CANCELLED/SUCCEEDED and order FULFILLED/FAILED/FAILED_PERMANENTLY.',
  optional: true,
}

export const receiverUrlProp: PropDefinition = {
  type: 'string',
  label: 'Receiver base URL',
  description: 'e.g. https://abc.ngrok.app. Empty: RECEIVER_URL (or the original local_dev_host).',
  optional: true,
}

export const receiverUserProp: PropDefinition = {
  type: 'string',
  label: 'Receiver basic-auth user',
  description: 'Empty: RECEIVER_USER (or the original ngrok_basic_auth_user).',
  optional: true,
}

export const receiverPasswordProp: PropDefinition = {
  type: 'string',
  label: 'Receiver basic-auth password',
  description: 'Empty: RECEIVER_PASSWORD (or the original ngrok_basic_auth_pass).',
  optional: true,
  secret: true,
}

export const rerunScheduleProp: PropDefinition = {
  type: 'string',
  label: 'Re-run delays',
  description:
    'Waits between re-runs while the receiver is unreachable, last one repeating. Empty: FORWARD_RERUN_SCHEDULE, else "15s,1m,5m,30m".',
  optional: true,
}

export const maxWaitProp: PropDefinition = {
  type: 'string',
  label: 'Maximum wait',
  description:
    'Give up (and fail the step) after waiting this long in total. Empty: FORWARD_MAX_WAIT, else "12h".',
  optional: true,
}

export const budgetProp: PropDefinition = {
  type: 'string',
  label: 'In-step retry budget',
  description: 'Ping, POST and their retries must fit in this. Empty: FORWARD_BUDGET, else "5s".',
  optional: true,
}

export const requireBodyDigestProp: PropDefinition = {
  type: 'boolean',
  label: 'Require a signed body digest',
  description:
    'Reject deliveries whose signature covers no content-digest/digest (the body would not be authenticated). Empty: REQUIRE_BODY_DIGEST=1, else off.',
  optional: true,
}

export const validateProps = {
  secret: secretProp,
  notifiableStatuses: notifiableStatusesProp,
  requireBodyDigest: requireBodyDigestProp,
}

export const forwardProps = {
  receiverUrl: receiverUrlProp,
  receiverUser: receiverUserProp,
  receiverPassword: receiverPasswordProp,
  rerunSchedule: rerunScheduleProp,
  maxWait: maxWaitProp,
  budget: budgetProp,
}

export const notifyProp: PropDefinition = {
  type: 'string',
  label: 'Notify',
  description:
    'Tell a person straight from Pipedream: ntfy+https://ntfy.sh/<topic>, slack+https://hooks.slack.com/services/…, discord+https://discord.com/api/webhooks/…, teams+https://… (Workflows), json+https://…; comma- or space-separated. desktop: and cmd: run only in the local relay. Empty: NOTIFY, else nobody.',
  optional: true,
  secret: true,
}
