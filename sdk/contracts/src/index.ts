export { ValueType, VALUE_TYPES, INTEGER_RANGES, normalizeValueType, isIntegerType, isFloatType, isArrayType, elementType, isWritableType } from "./value-types.js";
export type { BinaryValueType, ObjectValueType, SimpleValueType } from "./value-types.js";
export { INT64_FIELDS, stringifyJson, parseJson, toNanos, nowNanos } from "./int64-json.js";
export { newUuid } from "./ids.js";
export { anchoredRegExp } from "./patterns.js";
export { lazyRequire, loadYaml } from "./lazy-module.js";
export { NextTurn } from "./next-turn.js";
export { ErrorKind, ErrorCode, ServiceError, ValidationError, httpStatusOf, kindOfHttpStatus } from "./errors.js";
export type { Problem, ServiceErrorDto } from "./errors.js";
export { API_VERSION, AdminState, OperatingState, ReadWrite, baseResponse } from "./dtos.js";
export type {
  Tags, SimpleReading, BinaryReading, ObjectReading, Reading, Event, AddEventRequest, ResourceProperties, DeviceResource,
  ResourceOperation, DeviceCommand, DeviceProfile, AutoEvent, ProtocolProperties, Device, DeviceService, DiscoveredDevice,
  ProvisionWatcher, BaseResponse, MultiResponse, BatchItemResponse, SystemEvent, EventResponse, CoreCommand, DeviceCoreCommand,
  CommandRequestPayload, CommandReplyPayload,
} from "./dtos.js";
export {
  BASE_TOPIC, ANY, ALL_EVENTS, ALL_SYSTEM_EVENTS, escapeToken, unescapeToken, eventSubject, parseEventSubject, commandRequestSubject,
  serviceCommandRequests, parseCommandRequestSubject, systemEventSubject, deviceServiceEventSubject, discoveryEventSubject,
} from "./subjects.js";
export type { Subject, TokenOrWildcard, EventSubjectParts, CommandMethod, CommandSubjectParts } from "./subjects.js";
export { CONTENT_TYPE_JSON, envelopeOf, errorEnvelopeOf, unwrapReply, isEnvelope } from "./envelope.js";
export type { MessageEnvelope } from "./envelope.js";
export { parseGoDuration, parseGoDurationNanos, formatGoDuration } from "./duration.js";
export { parseProfile, validateProfile } from "./validation/profile.js";
export { SourceText, parsePath, formatPath } from "./validation/common.js";
export type { SourceTextOptions, Path, PathSegment } from "./validation/common.js";
export { parseDeviceList, validateDevice } from "./validation/device.js";
export type { DeviceListOptions } from "./validation/device.js";
export { validateDeviceService } from "./validation/device-service.js";
export { parseProvisionWatcher, validateProvisionWatcher } from "./validation/provision-watcher.js";
export type { ProvisionWatcherOptions } from "./validation/provision-watcher.js";
export { validateEvent, validateAddEventRequest } from "./validation/event.js";
export { readingValueProblem } from "./validation/reading-value.js";
