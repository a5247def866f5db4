/**
 * Error codes of the rules engine, beyond the shared ones in `@brink/contracts` (NOT_FOUND, DUPLICATE_NAME,
 * REQUEST_INVALID, YAML_MALFORMED, LOCKED, TIMEOUT, NO_RESPONDERS...). Each is listed in docs/errors.md under
 * "@brink/rules-engine".
 */
export const RulesErrorCode = {
  /** A rule fails validation: a missing or misplaced field, a bad duration, cron or window, an expression that does not parse or compile (kind ContractInvalid, 400). */
  RuleInvalid: "RULE_INVALID",
  /** A template in an action could not be evaluated when the rule fired, such as a value no reading has given yet (kind ContractInvalid). */
  TemplateFailed: "ACTION_TEMPLATE_FAILED",
  /** A notification fails validation (kind ContractInvalid, 400). */
  NotificationInvalid: "NOTIFICATION_INVALID",
  /** A subscription fails validation: no channel, a channel without its address, an unknown channel type (kind ContractInvalid, 400). */
  SubscriptionInvalid: "SUBSCRIPTION_INVALID",
  /** An MQTT or webhook action or channel cannot be used because store-and-forward delivery is not available (kind ServiceUnavailable, 503). */
  DeliveryUnavailable: "DELIVERY_UNAVAILABLE",
} as const;
/** One of the rules engine's error codes. */
export type RulesErrorCode = (typeof RulesErrorCode)[keyof typeof RulesErrorCode];
