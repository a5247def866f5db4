/**
 * Device services, as registered with core-metadata.
 */
import { AdminState, type DeviceService } from "../dtos.js";
import { ErrorCode } from "../errors.js";
import { Checker, NAME_SCHEMA, OBJECT_SCHEMA, TEXT_LIST_SCHEMA, TEXT_SCHEMA, UUID_SCHEMA, isRecord, lazySchema, setOrDelete, withoutNulls } from "./common.js";
import { ADMIN_STATES } from "./device.js";

const serviceSchema = lazySchema({
  type: "object",
  required: ["name", "baseAddress"],
  properties: {
    id: UUID_SCHEMA,
    name: NAME_SCHEMA,
    description: TEXT_SCHEMA,
    labels: TEXT_LIST_SCHEMA,
    baseAddress: { type: "string" },
    adminState: { type: ["string", "null"] },
    properties: OBJECT_SCHEMA,
  },
});

// `localhost:59900` parses as a URL with scheme "localhost:", so a host is required too.
function isAbsoluteUrl(text: string): boolean {
  return URL.canParse(text) && new URL(text).host !== "";
}

/**
 * Validates a device service (a REST body) and returns it normalised: adminState UNLOCKED by default, in canonical
 * upper case. `baseAddress` must be an absolute URL (`http://localhost:59900`).
 * @throws ValidationError DEVICE_SERVICE_INVALID listing every problem with its path.
 */
export function validateDeviceService(value: unknown): DeviceService {
  const ck = new Checker();
  ck.schema(serviceSchema(), value, []);
  let out: Record<string, unknown> | undefined;
  if (isRecord(value)) {
    out = withoutNulls(value);
    ck.name(value.name, ["name"]);
    setOrDelete(out, "description", ck.text(value.description, ["description"]));
    setOrDelete(out, "labels", ck.textList(value.labels, ["labels"]));
    if (typeof value.baseAddress === "string" && !isAbsoluteUrl(value.baseAddress)) {
      ck.add(["baseAddress"], `must be an absolute URL such as http://localhost:59900, got "${value.baseAddress}"`);
    }
    out.adminState = ck.oneOf(value.adminState, ADMIN_STATES, ["adminState"], AdminState.Unlocked);
    setOrDelete(out, "created", ck.int64(value.created, ["created"]));
    setOrDelete(out, "modified", ck.int64(value.modified, ["modified"]));
  }
  ck.throwIfAny(ErrorCode.DeviceServiceInvalid, "invalid device service");
  return out as unknown as DeviceService;
}
