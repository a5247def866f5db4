/** The console's page shell: navigation, the token prompt, and the page of the current route. */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, call, get, hasToken, onUnauthorized, setToken } from "./api.js";
import { href, useRoute, type Route } from "./router.js";
import { DevicesPage } from "./pages/devices.js";
import { DevicePage } from "./pages/device.js";
import { ProfilesPage } from "./pages/profiles.js";
import { ProfilePage } from "./pages/profile.js";
import { HealthPage } from "./pages/health.js";
import "uplot/dist/uPlot.min.css";
import "./style.css";

interface Info {
  version: string;
  tokenRequired: boolean;
}

function Login(props: { onDone: () => void; failed: boolean }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState(props.failed ? "The token was refused. Enter it again." : "");
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setToken(value.trim());
    try {
      await call("GET", "/api/v3/version");
      props.onDone();
    } catch (err) {
      setToken(undefined);
      setError(err instanceof ApiError && err.status === 401 ? "That token is not valid." : (err as Error).message);
    }
  };
  return (
    <form class="login card" onSubmit={submit}>
      <h2>Brink asks for a token</h2>
      <p>This Brink has an API token set (BRINK_API_TOKEN). Enter it to continue; it is kept for this tab only.</p>
      <input type="password" name="token" autoComplete="current-password" placeholder="API token" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      <button type="submit" disabled={value.trim() === ""}>Sign in</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "device":
      return <DevicePage key={route.name} name={route.name} />;
    case "profiles":
      return <ProfilesPage />;
    case "profile":
      return <ProfilePage key={route.name} name={route.name} />;
    case "health":
      return <HealthPage />;
    default:
      return <DevicesPage />;
  }
}

function App() {
  const route = useRoute();
  const [info, setInfo] = useState<Info | undefined>();
  const [infoError, setInfoError] = useState("");
  const [needLogin, setNeedLogin] = useState(false);
  const [refused, setRefused] = useState(false);

  useEffect(() => {
    get<Info>("/api/console/info").then(
      (i) => {
        setInfo(i);
        setNeedLogin(i.tokenRequired && !hasToken());
      },
      (err: Error) => setInfoError(err.message),
    );
    return onUnauthorized(() => {
      setToken(undefined);
      setRefused(true);
      setNeedLogin(true);
    });
  }, []);

  const section = route.page === "device" ? "devices" : route.page === "profile" ? "profiles" : route.page;
  const nav = (page: "devices" | "profiles" | "health", label: string) => (
    <a href={href({ page })} class={section === page ? "active" : ""}>
      {label}
    </a>
  );
  return (
    <>
      <header class="top">
        <a class="brand" href="#/devices">Brink</a>
        <nav>
          {nav("devices", "Devices")}
          {nav("profiles", "Profiles")}
          {nav("health", "Health")}
        </nav>
        <span class="version">{info ? `v${info.version}` : ""}</span>
        {info?.tokenRequired && !needLogin && (
          <button class="link" onClick={() => { setToken(undefined); setRefused(false); setNeedLogin(true); }}>Sign out</button>
        )}
      </header>
      <main>
        {infoError && <p class="error" role="alert">Cannot reach the console: {infoError}</p>}
        {info && needLogin && <Login failed={refused} onDone={() => { setRefused(false); setNeedLogin(false); }} />}
        {info && !needLogin && <Page route={route} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
