/**
 * Pipelines changed over REST, kept in `<dataDir>/app-service/pipelines.json` (written to a temporary file, fsynced,
 * renamed) so they survive restarts. It is an overlay on the pipelines file: a stored definition replaces the file's
 * pipeline of the same name, and a stored deletion hides it.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";
import { AppServiceError, AppServiceErrorCode } from "../errors.js";

/** What the file holds. */
export interface StoredPipelines {
  /** Definitions put over REST, by name (as sent, validated when they were put). */
  pipelines: Record<string, unknown>;
  /** Names of file pipelines deleted over REST. */
  deleted: string[];
}

/** The overlay file. Reads once on `load()`; every change rewrites the whole (small) file atomically. */
export class PipelineStore {
  readonly file: string;
  private data: StoredPipelines = { pipelines: {}, deleted: [] };

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "app-service", "pipelines.json");
  }

  /**
   * Reads the file; a missing file is an empty overlay.
   * @throws ServiceError STORE_CORRUPT when it cannot be read back.
   */
  load(): StoredPipelines {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return this.data;
      throw new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const parsed = JSON.parse(text) as Partial<StoredPipelines>;
      this.data = { pipelines: { ...(parsed.pipelines ?? {}) }, deleted: [...(parsed.deleted ?? [])] };
    } catch (err) {
      throw new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `${this.file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    return this.data;
  }

  /** Stores a definition put over REST. */
  put(name: string, definition: unknown): void {
    this.write({ pipelines: { ...this.data.pipelines, [name]: definition }, deleted: this.data.deleted.filter((n) => n !== name) });
  }

  /** Records a deletion (`hideFromFile`: the name also comes from the pipelines file). */
  delete(name: string, hideFromFile: boolean): void {
    const pipelines = { ...this.data.pipelines };
    delete pipelines[name];
    const deleted = this.data.deleted.filter((n) => n !== name);
    if (hideFromFile) deleted.push(name);
    this.write({ pipelines, deleted });
  }

  private write(next: StoredPipelines): void {
    const tmp = `${this.file}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const fd = openSync(tmp, "w");
      try {
        writeSync(fd, JSON.stringify(next, null, 2));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      const dir = openSync(path.dirname(this.file), "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (err) {
      throw new AppServiceError(ErrorKind.Database, AppServiceErrorCode.PipelineStoreFailed, `cannot write ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    this.data = next;
  }
}
