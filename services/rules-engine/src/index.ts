/**
 * @brink/rules-engine: rules evaluated at the edge on every device reading (conditions over values and windows, `for`,
 * hysteresis, cooldown, actions that write to devices), scheduled rules, and notifications with subscriptions.
 */
export {
  rulesEngineService, RULES_ENGINE_PORT, RULES_ENGINE_CONFIG_SCHEMA, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_HTTP_TIMEOUT_MS, DEFAULT_DEVICE_CACHE_TTL_MS,
  DEFAULT_MAX_FIRINGS, DEFAULT_MAX_NOTIFICATIONS,
} from "./service.js";
export type { RulesEngineConfig } from "./service.js";
export { RulesErrorCode } from "./errors.js";
export { VERSION } from "./version.js";

// rules
export { WindowType, MissedRunPolicy, Severity, ActionType, BrinkServiceKey } from "./rule/types.js";
export type {
  WindowDefinition, SourceDefinition, ScheduleDefinition, CommandActionDefinition, AlertActionDefinition, EventActionDefinition, HttpActionDefinition,
  WebhookActionDefinition, MqttActionDefinition, NotifyActionDefinition, ActionDefinition, RuleDefinition, StoredRule,
} from "./rule/types.js";
export { compileRule } from "./rule/compile.js";
export type { CompiledRule, ReadingRule, ScheduledRule, CompiledWindow } from "./rule/compile.js";
export type { ExpressionProblem } from "./rule/checks.js";
export { globMatcher } from "./rule/glob.js";
export type { Matcher } from "./rule/glob.js";
export { RuleManager, RULE_FILE_EXTENSIONS } from "./rule/manager.js";
export type { RuleManagerOptions } from "./rule/manager.js";

// expressions
export { parseExpression, ExpressionError } from "./expr/parser.js";
export { compileExpression, AggregateTable } from "./expr/compile.js";
export type { CompileOptions, CompiledExpression, ExpressionInput, Evaluator, Comparison } from "./expr/compile.js";
export { compileTemplate, compileJsonTemplate, TemplateError } from "./expr/template.js";
export type { CompiledTemplate, CompiledJsonTemplate } from "./expr/template.js";
export { SpecialName, AggregateFn, isMissing } from "./expr/types.js";
export type { Value, Scope, AggregateRef, Missing } from "./expr/types.js";
export { MATH_FUNCTIONS } from "./expr/functions.js";

// engine
export { RuleEngine } from "./engine/engine.js";
export type { RuleEngineOptions, EngineStats, DeviceRuleStatus } from "./engine/engine.js";
export { RuleState } from "./engine/rule-runtime.js";
export { FiringDispatcher } from "./engine/dispatcher.js";
export type { FiringDispatcherOptions, FiringSink, FiringMetrics } from "./engine/dispatcher.js";
export { alertSubject, ALL_ALERTS } from "./engine/firing.js";
export type { FiringRecord, FiringTrigger, ActionResult, Alert, FiringContext } from "./engine/firing.js";
export { SlidingWindow, TumblingWindow, nextBoundary, DEFAULT_MAX_WINDOW_SAMPLES } from "./engine/window.js";
export type { SampleWindow, WindowFn } from "./engine/window.js";
export { readingValue } from "./engine/values.js";

// actions
export { ActionRunner } from "./actions/runner.js";
export type { ActionRunnerOptions, ExportGateway, NotificationSink } from "./actions/runner.js";
export { DeviceDirectory } from "./actions/device-directory.js";
export type { DeviceDirectoryOptions } from "./actions/device-directory.js";
export { renderActions, formatFloat, RULES_ENGINE_SERVICE } from "./actions/render.js";
export type { ActionRequest, Rendered } from "./actions/render.js";

// scheduler
export { RuleScheduler, MAX_TIMER_MS } from "./scheduler/scheduler.js";
export type { RuleSchedulerOptions, ScheduleRuns } from "./scheduler/scheduler.js";
export { compileSchedule, firstRunAfter, DEFAULT_TIMEZONE } from "./scheduler/schedule.js";
export type { CompiledSchedule } from "./scheduler/schedule.js";

// notifications
export { NotificationStatus, DeliveryStatus, ChannelType } from "./notifications/types.js";
export type {
  NotificationInput, Notification, Delivery, Channel, WebhookChannel, MqttChannel, NatsChannel, SubscriptionInput, Subscription,
} from "./notifications/types.js";
export { NotificationCenter, statusOf } from "./notifications/center.js";
export type { NotificationCenterOptions, ChannelDelivery, DeliveryReports } from "./notifications/center.js";
export { validateNotification, validateSubscription, subscriptionMatches } from "./notifications/validate.js";
export { DeliveryHub, channelTarget, OUTBOX_FILE_NAME } from "./delivery/hub.js";
export type { DeliveryHubOptions } from "./delivery/hub.js";
export { ReportingTarget, BusTarget } from "./delivery/targets.js";

// stores and metrics
export { DocumentStore, RULES_ENGINE_DIR, RULES_FILE_NAME } from "./store/document-store.js";
export type { RulesDocument } from "./store/document-store.js";
export { openHistoryDatabase, HISTORY_FILE_NAME } from "./store/history-db.js";
export { FiringStore, ScheduleRunStore } from "./store/firing-store.js";
export type { Page } from "./store/firing-store.js";
export { NotificationStore } from "./store/notification-store.js";
export type { NotificationFilter } from "./store/notification-store.js";
export { RulesMetrics, METRIC } from "./metrics.js";
