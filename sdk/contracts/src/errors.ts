/**
 * Error kinds, codes and the one ServiceError that crosses REST and the bus unchanged.
 * Kinds follow EdgeX's go-mod-core-contracts `errors` package; {@link httpStatusOf} is the one kind-to-status map.
 */
export const ErrorKind = {
  ContractInvalid: "ContractInvalid",
  EntityDoesNotExist: "NotFound",
  DuplicateName: "DuplicateName",
  StatusConflict: "StatusConflict",
  ServiceLocked: "ServiceLocked",
  ServiceUnavailable: "ServiceUnavailable",
  Timeout: "Timeout",
  Communication: "CommunicationError",
  NotAllowed: "NotAllowed",
  NotImplemented: "NotImplemented",
  RangeNotSatisfiable: "RangeNotSatisfiable",
  LimitExceeded: "LimitExceeded",
  Unauthorized: "Unauthorized",
  Database: "DatabaseError",
  Server: "ServerError",
} as const;
/** One error kind. */
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

const STATUS: Readonly<Record<ErrorKind, number>> = {
  ContractInvalid: 400,
  NotFound: 404,
  DuplicateName: 409,
  StatusConflict: 409,
  ServiceLocked: 423,
  ServiceUnavailable: 503,
  Timeout: 503,
  CommunicationError: 503,
  NotAllowed: 405,
  NotImplemented: 501,
  RangeNotSatisfiable: 416,
  LimitExceeded: 413,
  Unauthorized: 401,
  DatabaseError: 500,
  ServerError: 500,
};

/** The HTTP status for an error kind. */
export function httpStatusOf(kind: ErrorKind): number {
  return STATUS[kind] ?? 500;
}

/** The error kind for an HTTP status (used to rebuild errors from remote answers). */
export function kindOfHttpStatus(status: number): ErrorKind {
  for (const [kind, s] of Object.entries(STATUS)) if (s === status) return kind as ErrorKind;
  return status >= 500 ? ErrorKind.Server : ErrorKind.ContractInvalid;
}

/** One problem in an input, with the JSON/YAML path it was found at (`deviceResources[2].properties.valueType`). */
export interface Problem {
  /** Dotted path with [index] for arrays; empty for the whole document. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the source text, when the input was YAML or JSON text. */
  readonly line?: number;
}

/** The serialisable form of a ServiceError: what REST bodies and bus replies carry. */
export interface ServiceErrorDto {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/**
 * The one error class of Brink. `kind` drives the HTTP status, `code` is stable and documented in docs/errors.md,
 * `details` carries typed data such as {@link Problem} lists. Subclass per package in its own errors.ts.
 */
export class ServiceError extends Error {
  override readonly name: string = "ServiceError";
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.details = options?.details;
  }

  /** HTTP status for this error. */
  get status(): number {
    return httpStatusOf(this.kind);
  }

  /** The serialisable form (no stack, no cause). */
  toDto(): ServiceErrorDto {
    return this.details === undefined
      ? { kind: this.kind, code: this.code, message: this.message }
      : { kind: this.kind, code: this.code, message: this.message, details: this.details };
  }

  /** Rebuilds a ServiceError from its DTO, as received over REST or the bus. */
  static fromDto(dto: Partial<ServiceErrorDto> | undefined, fallbackMessage = "remote error"): ServiceError {
    const kind = dto?.kind && Object.hasOwn(STATUS, dto.kind) ? dto.kind : ErrorKind.Server;
    return new ServiceError(kind, dto?.code ?? "REMOTE_ERROR", dto?.message ?? fallbackMessage, dto?.details ? { details: dto.details } : undefined);
  }

  /** Wraps anything thrown into a ServiceError; ServiceErrors pass through unchanged. */
  static from(err: unknown, code = "INTERNAL"): ServiceError {
    if (err instanceof ServiceError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new ServiceError(ErrorKind.Server, code, message, { cause: err });
  }
}

/** A ServiceError of kind ContractInvalid that lists every problem found in an input. */
export class ValidationError extends ServiceError {
  override readonly name = "ValidationError";
  readonly problems: readonly Problem[];

  constructor(code: string, subject: string, problems: readonly Problem[]) {
    const list = problems.map((p) => `${p.line ? `line ${p.line}: ` : ""}${p.path || "(root)"}: ${p.message}`).join("; ");
    super(ErrorKind.ContractInvalid, code, `${subject}: ${list}`, { details: { problems } });
    this.problems = problems;
  }
}

/**
 * Stable error codes used across Brink. docs/errors.md lists each with its meaning; a test keeps the two in step.
 * Packages add their own codes in their errors.ts and document them in the same file.
 */
export const ErrorCode = {
  ProfileInvalid: "PROFILE_INVALID",
  DeviceInvalid: "DEVICE_INVALID",
  DeviceServiceInvalid: "DEVICE_SERVICE_INVALID",
  ProvisionWatcherInvalid: "PROVISION_WATCHER_INVALID",
  EventInvalid: "EVENT_INVALID",
  RequestInvalid: "REQUEST_INVALID",
  JsonMalformed: "JSON_MALFORMED",
  YamlMalformed: "YAML_MALFORMED",
  DurationInvalid: "DURATION_INVALID",
  BodyTooLarge: "BODY_TOO_LARGE",
  NotFound: "NOT_FOUND",
  DuplicateName: "DUPLICATE_NAME",
  Unauthorized: "UNAUTHORIZED",
  Locked: "LOCKED",
  Timeout: "TIMEOUT",
  NoResponders: "NO_RESPONDERS",
  BusUnavailable: "BUS_UNAVAILABLE",
  Internal: "INTERNAL",
  ConfigInvalid: "CONFIG_INVALID",
  StoreCorrupt: "STORE_CORRUPT",
  RemoteError: "REMOTE_ERROR",
} as const;
/** One of the shared error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
