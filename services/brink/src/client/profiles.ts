/**
 * `brink profile validate <file...>` (offline: the same validation core-metadata runs, every problem with its line)
 * and `brink profile upload <file>` (validated first; nothing is sent when a problem is found).
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { ErrorKind, ServiceError, type Problem } from "@brink/contracts";
import { checkProfileText, type ProfileCheck } from "@brink/console";
import type { BrinkClient } from "./brink-client.js";
import { ClientErrorCode } from "./errors.js";
import { jsonText, type Output } from "./output.js";

/** The check of one file. */
export interface FileCheck extends ProfileCheck {
  readonly file: string;
}

/** Reads a file as UTF-8; FILE_UNREADABLE when it cannot be read. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new ServiceError(ErrorKind.ContractInvalid, ClientErrorCode.FileUnreadable, `cannot read ${file}: ${code || (err as Error).message}`, { details: { file, errno: code }, cause: err });
  }
}

/** Checks one profile file. */
export async function checkFile(file: string): Promise<FileCheck> {
  return { file, ...checkProfileText(await readTextFile(file)) };
}

function problemLine(file: string, p: Problem): string {
  return `  ${file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}\n`;
}

function describe(check: FileCheck): string {
  if (check.valid) return `${check.file}: valid: profile ${check.summary?.name}, ${check.summary?.resources} resources, ${check.summary?.commands} commands\n`;
  const n = check.problems.length;
  return `${check.file}: invalid (${check.code}), ${n} problem${n === 1 ? "" : "s"}\n${check.problems.map((p) => problemLine(check.file, p)).join("")}`;
}

/** `profile validate`: resolves true when every file is valid. */
export async function validate(files: readonly string[], json: boolean, output: Output): Promise<boolean> {
  const checks = await Promise.all(files.map(checkFile));
  if (json) output.out(jsonText(checks));
  else for (const c of checks) output.out(describe(c));
  return checks.every((c) => c.valid);
}

/** Options of `profile upload`. */
export interface UploadOptions {
  /** Replace a stored profile of the same name (PUT) instead of adding a new one (POST). */
  readonly replace?: boolean;
}

/** `profile upload`: resolves false (nothing sent) when the file has problems. */
export async function upload(client: BrinkClient, file: string, options: UploadOptions, json: boolean, output: Output): Promise<boolean> {
  const text = await readTextFile(file);
  const check: FileCheck = { file, ...checkProfileText(text) };
  if (!check.valid) {
    if (json) output.out(jsonText({ uploaded: false, ...check }));
    else output.out(`${describe(check)}nothing was uploaded\n`);
    return false;
  }
  const method = options.replace ? "PUT" : "POST";
  let answer: { id?: string } | undefined;
  try {
    answer = await client.upload<{ id?: string }>(method, "/core-metadata/api/v3/deviceprofile/uploadfile", {
      field: "file",
      filename: basename(file),
      contentType: "application/yaml",
      content: Buffer.from(text, "utf8"),
    });
  } catch (err) {
    if (err instanceof ServiceError && err.kind === ErrorKind.DuplicateName) {
      throw new ServiceError(err.kind, err.code, `${err.message}; use --replace to replace it`, { ...(err.details ? { details: err.details } : {}), cause: err });
    }
    throw err;
  }
  const name = check.summary?.name ?? "";
  if (json) output.out(jsonText({ uploaded: true, profile: name, ...(answer?.id ? { id: answer.id } : {}), replaced: options.replace === true }));
  else output.out(`${options.replace ? "replaced" : "uploaded"} profile ${name}${answer?.id ? ` (id ${answer.id})` : ""}\n`);
  return true;
}
