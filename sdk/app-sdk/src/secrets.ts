/**
 * Secrets for exports (MQTT passwords, HTTP bearer tokens, NATS credentials): read from files in a secrets directory
 * or from `BRINK_SECRET_<NAME>` environment variables, never from pipeline YAML, which names a secret only.
 */
import fs from "node:fs";
import path from "node:path";
import { ErrorKind } from "@brink/contracts";
import { AppSdkError, AppSdkErrorCode } from "./errors.js";

/** Environment variable naming the secrets directory (overrides `<dataDir>/secrets`). */
export const SECRETS_DIR_ENV = "BRINK_SECRETS_DIR";
/** Prefix of environment variables holding a secret: `BRINK_SECRET_MQTT_PASSWORD` for the secret `mqtt-password`. */
export const SECRET_ENV_PREFIX = "BRINK_SECRET_";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Options of {@link SecretStore}. */
export interface SecretStoreOptions {
  /** Directory holding one file per secret. @default `$BRINK_SECRETS_DIR`, else `<dataDir>/secrets` */
  dir?: string;
  /** Used for the default directory when `dir` and `$BRINK_SECRETS_DIR` are not given. */
  dataDir?: string;
  /** Where `BRINK_SECRET_*` variables are looked up. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The environment variable of a secret: `BRINK_SECRET_` and the name in upper case with `.` and `-` as `_`. */
export function secretEnvName(name: string): string {
  return SECRET_ENV_PREFIX + name.toUpperCase().replace(/[.-]/g, "_");
}

/**
 * Secrets by name. `get(name)` looks for the environment variable {@link secretEnvName}(name) first (so a deployment
 * can override a mounted file), then for the file `<dir>/<name>` (a Docker or Kubernetes secret mount), whose
 * content is returned without one trailing newline. Files are read on each call, so a rotated secret is picked up
 * at the next connection. Names are letters, digits, `.`, `_` and `-` (no path separators).
 */
export class SecretStore {
  /** The directory searched for secret files. */
  readonly dir: string | undefined;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(options: SecretStoreOptions = {}) {
    this.env = options.env ?? process.env;
    const fromEnv = this.env[SECRETS_DIR_ENV];
    this.dir = options.dir ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : options.dataDir !== undefined ? path.join(options.dataDir, "secrets") : undefined);
  }

  /** True when the secret can be read. Throws SECRET_NAME_INVALID for a malformed name. */
  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /**
   * The secret's value. Throws AppSdkError SECRET_NOT_FOUND (kind NotFound) when absent and SECRET_NAME_INVALID
   * (kind ContractInvalid) for a malformed name.
   */
  get(name: string): string {
    const value = this.lookup(name);
    if (value === undefined) {
      const where = this.dir === undefined ? "" : ` nor a file ${path.join(this.dir, name)}`;
      throw new AppSdkError(ErrorKind.EntityDoesNotExist, AppSdkErrorCode.SecretNotFound, `secret "${name}" not found: no variable ${secretEnvName(name)}${where}`, {
        details: { secret: name, env: secretEnvName(name), dir: this.dir },
      });
    }
    return value;
  }

  /** `get` bound to this store, for {@link FunctionEnvironment.secret}. */
  readonly secret = (name: string): string => this.get(name);

  private lookup(name: string): string | undefined {
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new AppSdkError(ErrorKind.ContractInvalid, AppSdkErrorCode.SecretNameInvalid, `secret name ${JSON.stringify(name)} must be letters, digits, ".", "_" and "-"`, {
        details: { secret: name },
      });
    }
    const fromEnv = this.env[secretEnvName(name)];
    if (fromEnv !== undefined) return fromEnv;
    if (this.dir === undefined) return undefined;
    try {
      return fs.readFileSync(path.join(this.dir, name), "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR") return undefined;
      throw new AppSdkError(ErrorKind.EntityDoesNotExist, AppSdkErrorCode.SecretNotFound, `secret "${name}" cannot be read: ${code ?? String(err)}`, {
        details: { secret: name, dir: this.dir },
        cause: err,
      });
    }
  }
}
