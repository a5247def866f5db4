/** Error codes of the `brink` command. Listed in docs/errors.md. */
export const BrinkErrorCode = {
  /** `brink run` or `start` named a service brink does not know (kind ContractInvalid). */
  UnknownService: "UNKNOWN_SERVICE",
  /** `brink new driver` got a name that is not lower-case kebab (kind ContractInvalid). */
  ScaffoldNameInvalid: "SCAFFOLD_NAME_INVALID",
  /** `brink new driver` target folder exists already (kind DuplicateName). */
  ScaffoldExists: "SCAFFOLD_EXISTS",
} as const;
/** One of the `brink` command's error codes. */
export type BrinkErrorCode = (typeof BrinkErrorCode)[keyof typeof BrinkErrorCode];
