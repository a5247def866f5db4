/**
 * A lowdb adapter for one JSON file whose int64 timestamps stay exact (contracts `stringifyJson`/`parseJson`), written
 * atomically and durably: the text goes to `.<name>.tmp` beside the file, is fsynced, renamed over the file, and the
 * directory is fsynced, so a crash or power cut leaves either the old file or the new one, never a torn one.
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Adapter } from "lowdb";
import { parseJson, stringifyJson } from "@brink/contracts";

/** Indentation of the written JSON, in spaces: the file is meant to be read by people. */
const JSON_INDENT_SPACES = 2;

/**
 * Reads and writes one JSON document. `read()` answers null for a missing file and throws the parser's SyntaxError
 * for malformed text (the caller decides what that means). Writes must not overlap: the caller serialises them.
 */
export class Int64JsonFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #tempFile: string;

  /** @param file absolute path of the JSON file; its directory is created on the first write. */
  constructor(file: string) {
    this.#file = file;
    this.#tempFile = join(dirname(file), `.${basename(file)}.tmp`);
  }

  /** The path this adapter reads and writes. */
  get file(): string {
    return this.#file;
  }

  /** The parsed document, or null when the file does not exist. Throws SyntaxError on malformed JSON. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    return parseJson<T>(text);
  }

  /** Writes the document atomically and durably. The text is taken synchronously, before the first await. */
  async write(data: T): Promise<void> {
    const text = stringifyJson(data, JSON_INDENT_SPACES) + "\n";
    const dir = dirname(this.#file);
    await mkdir(dir, { recursive: true });
    const handle = await open(this.#tempFile, "w", 0o644);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.#tempFile, this.#file);
    await syncDirectory(dir);
  }
}

/** fsyncs a directory so a rename in it survives a power cut; platforms that cannot sync directories are skipped. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw err;
  } finally {
    await handle?.close();
  }
}
