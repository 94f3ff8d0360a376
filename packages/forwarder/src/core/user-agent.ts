/** Lets receiver logs tell relayed deliveries from direct ones. */
export const USER_AGENT = 'up42-webhooks-forwarder/0.1'
