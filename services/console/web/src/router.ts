/** Hash routes: `#/devices`, `#/devices/<name>`, `#/profiles`, `#/profiles/<name>`, `#/health`. */
import { useEffect, useState } from "preact/hooks";

/** A parsed route. */
export type Route =
  | { readonly page: "devices" }
  | { readonly page: "device"; readonly name: string }
  | { readonly page: "profiles" }
  | { readonly page: "profile"; readonly name: string }
  | { readonly page: "health" };

/** The route of a location hash; unknown hashes go to the device list. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [head, name] = parts;
  if (head === "devices" && name) return { page: "device", name };
  if (head === "profiles" && name) return { page: "profile", name };
  if (head === "profiles") return { page: "profiles" };
  if (head === "health") return { page: "health" };
  return { page: "devices" };
}

/** The hash of a route. */
export function href(route: Route): string {
  switch (route.page) {
    case "device":
      return `#/devices/${encodeURIComponent(route.name)}`;
    case "profile":
      return `#/profiles/${encodeURIComponent(route.name)}`;
    default:
      return `#/${route.page}`;
  }
}

/** The current route, updated on hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
