/** One command of a device: Read (GET) with its result, and a write form (SET) built from the profile. */
import { useState } from "preact/hooks";
import { ApiError, call, enc, svc } from "../api.js";
import { bodyOf, fieldsOf, isFloat, isInteger, problemOf, type Field } from "../command-fields.js";
import { clock, displayValue, nsToMs } from "../format.js";
import type { CoreCommand, DeviceProfile, EdgexEvent, Reading } from "../types.js";
import { ErrorLine } from "./bits.js";

function FieldInput(props: { id: string; field: Field; value: string; onInput: (v: string) => void }) {
  const { field: f, value } = props;
  const placeholder = f.defaultValue !== undefined ? `default ${f.defaultValue}` : "";
  const common = { name: f.resource, id: props.id, value, onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value) };
  if (f.choices) {
    return (
      <select {...common} onChange={common.onInput}>
        <option value="">{placeholder || "—"}</option>
        {f.choices.map((c) => (
          <option value={c}>{c}</option>
        ))}
      </select>
    );
  }
  if (f.valueType === "Bool") {
    return (
      <select {...common} onChange={common.onInput}>
        <option value="">{placeholder || "—"}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  if (isInteger(f.valueType) || isFloat(f.valueType)) {
    return <input type="text" inputMode="decimal" {...common} placeholder={placeholder} />;
  }
  if (f.valueType === "Object" || f.valueType.endsWith("Array")) {
    return <textarea {...common} rows={2} placeholder={placeholder || (f.valueType === "Object" ? '{"key": "value"}' : "[1, 2]")} />;
  }
  return <input type="text" {...common} placeholder={placeholder} />;
}

function rangeText(f: Field): string {
  const parts = [f.valueType];
  if (f.minimum !== undefined || f.maximum !== undefined) parts.push(`${f.minimum ?? "…"} to ${f.maximum ?? "…"}`);
  if (f.units) parts.push(f.units);
  return parts.join(", ");
}

export function CommandCard(props: { device: string; command: CoreCommand; profile: DeviceProfile | undefined; onReadings: (readings: Reading[]) => void }) {
  const { command, device } = props;
  const fields = command.set ? fieldsOf(command, props.profile) : [];
  const [values, setValues] = useState<Record<string, string>>({});
  const [readResult, setReadResult] = useState<Reading[] | undefined>();
  const [readError, setReadError] = useState<Error | undefined>();
  const [writeError, setWriteError] = useState<Error | undefined>();
  const [written, setWritten] = useState<number | undefined>();
  const [busy, setBusy] = useState(false);
  const path = svc("core-command", `/device/name/${enc(device)}/${enc(command.name)}`);
  const problems = Object.fromEntries(fields.map((f) => [f.resource, problemOf(f, values[f.resource] ?? "")]));
  const blocked = Object.values(problems).some((p) => p !== undefined);

  const read = async (): Promise<void> => {
    setBusy(true);
    setReadError(undefined);
    try {
      const body = await call<{ event?: EdgexEvent }>("GET", path);
      const readings = body?.event?.readings ?? [];
      setReadResult(readings);
      props.onReadings(readings);
    } catch (err) {
      setReadResult(undefined);
      setReadError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const write = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (blocked) return;
    setBusy(true);
    setWriteError(undefined);
    setWritten(undefined);
    try {
      const body = bodyOf(fields, values);
      if (Object.keys(body).length === 0) throw new ApiError(0, "NOTHING_TO_WRITE", "", "fill in at least one value");
      await call("PUT", path, { json: body });
      setWritten(Date.now());
    } catch (err) {
      setWriteError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card command" data-command={command.name}>
      <div class="command-head">
        <strong>{command.name}</strong>
        <span class="muted">{command.get && command.set ? "read / write" : command.get ? "read" : "write"}</span>
        {command.get && (
          <button class="read" onClick={read} disabled={busy}>
            Read
          </button>
        )}
      </div>
      {readError && <ErrorLine error={readError} />}
      {readResult && (
        <table class="grid compact result" data-command-result={command.name}>
          <tbody>
            {readResult.map((r) => (
              <tr>
                <td>{r.resourceName}</td>
                <td class="value" data-resource={r.resourceName}>
                  {r.value !== undefined ? displayValue(r.valueType, r.value) : r.objectValue !== undefined ? JSON.stringify(r.objectValue) : `${r.mediaType ?? "binary"}`}
                </td>
                <td class="muted">{r.units ?? ""}</td>
                <td class="muted">{clock(nsToMs(r.origin))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {command.set && (
        <form class="write" onSubmit={write} noValidate>
          {fields.map((f) => (
            <div class="field">
              <label for={`f-${command.name}-${f.resource}`}>
                {f.resource} <span class="muted">{rangeText(f)}</span>
              </label>
              <FieldInput id={`f-${command.name}-${f.resource}`} field={f} value={values[f.resource] ?? ""} onInput={(v) => setValues((s) => ({ ...s, [f.resource]: v }))} />
              {problems[f.resource] && <span class="field-error">{problems[f.resource]}</span>}
            </div>
          ))}
          <div class="form-foot">
            <button type="submit" disabled={busy || blocked}>
              Write
            </button>
            {written !== undefined && <span class="ok-text">written at {clock(written)}</span>}
          </div>
          {writeError && <ErrorLine error={writeError} />}
        </form>
      )}
    </div>
  );
}
