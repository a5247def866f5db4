/** Device profiles: the list, and an upload that shows every validation problem at its line before saving. */
import { useState } from "preact/hooks";
import { ApiError, call, get, svc } from "../api.js";
import { useLoad } from "../hooks.js";
import { href } from "../router.js";
import type { DeviceProfile, Problem } from "../types.js";
import { ErrorLine } from "../components/bits.js";
import { YamlLines } from "../components/yaml-lines.js";

interface Check {
  valid: boolean;
  code?: string;
  problems: Problem[];
  summary?: { name: string; resources: number; commands: number };
}

function Upload(props: { onSaved: (name: string) => void }) {
  const [file, setFile] = useState<{ name: string; text: string } | undefined>();
  const [check, setCheck] = useState<Check | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);

  const choose = async (e: Event): Promise<void> => {
    const input = e.currentTarget as HTMLInputElement;
    const chosen = input.files?.[0];
    setCheck(undefined);
    setError(undefined);
    setSaved("");
    if (!chosen) return setFile(undefined);
    const text = await chosen.text();
    setFile({ name: chosen.name, text });
    try {
      setCheck(await call<Check>("POST", "/api/console/profile/validate", { body: text, headers: { "Content-Type": "application/yaml" } }));
    } catch (err) {
      setError(err as Error);
    }
  };

  const save = async (replace: boolean): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const form = new FormData();
      form.append("file", new Blob([file.text], { type: "application/yaml" }), file.name);
      await call(replace ? "PUT" : "POST", svc("core-metadata", "/deviceprofile/uploadfile"), { body: form });
      setSaved(check?.summary?.name ?? file.name);
      props.onSaved(check?.summary?.name ?? "");
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const exists = error instanceof ApiError && error.status === 409;
  const serverProblems = error instanceof ApiError && Array.isArray(error.details?.problems) ? (error.details.problems as Problem[]) : [];
  return (
    <div class="card" id="upload">
      <h2>Upload a profile</h2>
      <p class="muted">EdgeX v3 device-profile YAML. It is checked here first, with the same validation as core-metadata; nothing is saved until you press Save.</p>
      <input type="file" name="profile" accept=".yaml,.yml,.json,application/yaml,text/yaml" onChange={choose} />
      {check && check.valid && (
        <p class="ok-text" id="check-ok">
          Valid: profile <strong>{check.summary?.name}</strong>, {check.summary?.resources} resources, {check.summary?.commands} commands.
        </p>
      )}
      {check && !check.valid && (
        <div class="error" id="check-problems" role="alert">
          <code class="code">{check.code}</code> {check.problems.length} problem{check.problems.length === 1 ? "" : "s"}; fix {check.problems.length === 1 ? "it" : "them"} and choose the file again.
          <ul class="problems">
            {check.problems.map((p) => (
              <li>
                {p.line !== undefined && <span class="muted">line {p.line}: </span>}
                {p.path && <code>{p.path}</code>} {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {check?.valid && (
        <div class="form-foot">
          <button id="save" onClick={() => save(false)} disabled={busy}>
            Save
          </button>
          {exists && (
            <button id="replace" onClick={() => save(true)} disabled={busy}>
              Replace the existing profile
            </button>
          )}
          {saved && <span class="ok-text">saved {saved}</span>}
        </div>
      )}
      {error && <ErrorLine error={error} />}
      {file && <YamlLines text={file.text} problems={[...(check?.problems ?? []), ...serverProblems]} />}
    </div>
  );
}

export function ProfilesPage() {
  const list = useLoad((signal) => get<{ profiles: DeviceProfile[] }>(svc("core-metadata", "/deviceprofile/all?limit=-1"), signal).then((b) => b.profiles ?? []), []);
  return (
    <section>
      <div class="page-head">
        <h1>Profiles</h1>
      </div>
      {list.error && <ErrorLine error={list.error} />}
      <table class="grid" id="profiles">
        <thead>
          <tr>
            <th>Name</th>
            <th>Manufacturer</th>
            <th>Model</th>
            <th>Resources</th>
            <th>Commands</th>
            <th>Labels</th>
          </tr>
        </thead>
        <tbody>
          {[...(list.data ?? [])]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((p) => (
              <tr data-profile={p.name}>
                <td>
                  <a href={href({ page: "profile", name: p.name })}>{p.name}</a>
                </td>
                <td>{p.manufacturer ?? ""}</td>
                <td>{p.model ?? ""}</td>
                <td>{p.deviceResources?.length ?? 0}</td>
                <td>{p.deviceCommands?.length ?? 0}</td>
                <td>{(p.labels ?? []).join(", ")}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <Upload onSaved={() => list.reload()} />
    </section>
  );
}
