/** One profile, as YAML. */
import { enc, getText } from "../api.js";
import { useLoad } from "../hooks.js";
import { href } from "../router.js";
import { ErrorLine } from "../components/bits.js";
import { YamlLines } from "../components/yaml-lines.js";

export function ProfilePage({ name }: { name: string }) {
  const yaml = useLoad((signal) => getText(`/api/console/profile/${enc(name)}/yaml`, signal), [name]);
  const download = (): void => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([yaml.data ?? ""], { type: "application/yaml" }));
    a.download = `${name}.yaml`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <section>
      <p class="crumbs">
        <a href={href({ page: "profiles" })}>Profiles</a> / {name}
      </p>
      <div class="page-head">
        <h1>{name}</h1>
        {yaml.data && <button onClick={download}>Download YAML</button>}
      </div>
      {yaml.error && <ErrorLine error={yaml.error} />}
      {yaml.data && (
        <div class="card">
          <YamlLines text={yaml.data} />
        </div>
      )}
    </section>
  );
}
