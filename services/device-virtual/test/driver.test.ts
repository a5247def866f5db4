import { strict as assert } from "node:assert";
import { INTEGER_RANGES, ServiceError, elementType, isFloatType, isIntegerType, type DeviceProfile, type DeviceResource, type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { DEFAULT_BINARY_SIZE_BYTES, VirtualDriver } from "../src/driver.js";
import { VirtualErrorCode } from "../src/errors.js";
import { RANDOM_ARRAY_LENGTH } from "../src/random.js";
import { cyclic, deviceOf, fakeSdk, requestOf, resourceOf, valueOf, virtualProfiles } from "./fixtures.js";

const profiles = virtualProfiles();
const FLOAT = profiles.get("Random-Float-Device")!;

function driverWith(options: ConstructorParameters<typeof VirtualDriver>[0] = {}, extra: DeviceProfile[] = []): VirtualDriver {
  const all = new Map(profiles);
  for (const p of extra) all.set(p.name, p);
  const driver = new VirtualDriver(options);
  driver.initialize(fakeSdk(all));
  return driver;
}

async function readOne(driver: VirtualDriver, profile: DeviceProfile, resourceName: string, deviceName?: string): Promise<RawValue> {
  const [v] = await driver.read(deviceOf(profile, deviceName), [requestOf(resourceOf(profile, resourceName))]);
  assert.equal(v!.resourceName, resourceName);
  return v!.value;
}

/** Asserts that a raw value has the JS shape the driver contract gives its value type. */
function assertRawType(type: ValueType, v: RawValue): void {
  const element = elementType(type);
  if (element !== undefined) {
    assert.ok(Array.isArray(v), `${type}: array`);
    for (const e of v as readonly RawValue[]) assertRawType(element, e);
    return;
  }
  if (type === "Bool") assert.equal(typeof v, "boolean");
  else if (type === "String") assert.equal(typeof v, "string");
  else if (type === "Binary") assert.ok(v instanceof Uint8Array);
  else if (type === "Object") assert.ok(typeof v === "object" && v !== null && !Array.isArray(v));
  else if (type === "ObjectArray") assert.ok(Array.isArray(v) && v.every((o) => typeof o === "object" && o !== null));
  else if (isIntegerType(type)) {
    const [lo, hi] = INTEGER_RANGES[type]!;
    const big = type === "Int64" || type === "Uint64" ? (assert.equal(typeof v, "bigint"), v as bigint) : (assert.ok(Number.isInteger(v)), BigInt(v as number));
    assert.ok(big >= lo && big <= hi, `${type} ${big} in range`);
  } else if (isFloatType(type)) {
    assert.equal(typeof v, "number");
    assert.ok(Number.isFinite(v as number), `${type} finite`);
    if (type === "Float32") assert.equal(Math.fround(v as number), v, "exact Float32");
  } else assert.fail(`unexpected type ${type}`);
}

describe("VirtualDriver", () => {
  describe("read", () => {
    for (const profile of profiles.values()) {
      it(`gives each readable resource of ${profile.name} a value of its type`, async () => {
        const driver = driverWith();
        const readable = profile.deviceResources.filter((r) => r.properties.readWrite.includes("R"));
        assert.ok(readable.length > 0);
        const values = await driver.read(deviceOf(profile), readable.map(requestOf));
        assert.equal(values.length, readable.length);
        values.forEach((v, i) => {
          const type = readable[i]!.properties.valueType;
          assert.equal(v.valueType, type);
          assertRawType(type, v.value);
          if (elementType(type) !== undefined) assert.equal((v.value as RawValue[]).length, RANDOM_ARRAY_LENGTH);
        });
      });
    }

    it("gives Binary resources fresh random bytes with the resource's media type", async () => {
      const binary = profiles.get("Random-Binary-Device")!;
      const driver = driverWith();
      const [a] = await driver.read(deviceOf(binary), [requestOf(resourceOf(binary, "Binary"))]);
      const [b] = await driver.read(deviceOf(binary), [requestOf(resourceOf(binary, "Binary"))]);
      assert.equal(a!.mediaType, "random");
      assert.equal((a!.value as Uint8Array).length, DEFAULT_BINARY_SIZE_BYTES);
      assert.notDeepEqual(a!.value, b!.value);
    });

    it("gives Object resources their profile's defaultValue", async () => {
      const object = profiles.get("Fixed-Object-Device")!;
      const driver = driverWith();
      assert.deepEqual(await readOne(driver, object, "Object"), { key1: "value1", key2: 123 });
      assert.deepEqual(await readOne(driver, object, "ObjectArray"), [
        { key1: "value1", key2: 123 },
        { key1: "value2", key2: 456 },
      ]);
    });

    it("changes random values from read to read", async () => {
      const driver = driverWith();
      const seen = new Set<number>();
      for (let i = 0; i < 20; i++) seen.add((await readOne(driver, FLOAT, "Float64")) as number);
      assert.ok(seen.size > 1);
    });
  });

  describe("randomisation within minimum and maximum", () => {
    const bounded = (name: string, valueType: ValueType, minimum: number, maximum: number): DeviceResource => ({
      name,
      properties: { valueType, readWrite: "RW", minimum, maximum, defaultValue: "0" },
    });
    const profile: DeviceProfile = {
      name: "Bounded",
      deviceResources: [
        bounded("I16", "Int16", -5, 5),
        bounded("U64", "Uint64", 10, 20),
        bounded("I64", "Int64", -3, 3),
        bounded("F64", "Float64", 1.5, 2.5),
        bounded("F32", "Float32", 0.1, 0.2),
        bounded("U8A", "Uint8Array", 100, 110),
        bounded("Same", "Int32", 7, 7),
      ],
    };

    it("keeps every random value in [minimum, maximum]", async () => {
      const driver = driverWith({}, [profile]);
      const device = deviceOf(profile);
      const requests = profile.deviceResources.map(requestOf);
      const distinct = new Map<string, Set<string>>();
      for (let round = 0; round < 200; round++) {
        for (const v of await driver.read(device, requests)) {
          const { minimum, maximum } = resourceOf(profile, v.resourceName).properties;
          const items = Array.isArray(v.value) ? (v.value as RawValue[]) : [v.value];
          for (const item of items) {
            assertRawType(elementType(v.valueType) ?? v.valueType, item);
            assert.ok(Number(item) >= minimum! && Number(item) <= maximum!, `${v.resourceName}: ${String(item)} in [${minimum}, ${maximum}]`);
          }
          const set = distinct.get(v.resourceName) ?? new Set();
          set.add(String(v.value));
          distinct.set(v.resourceName, set);
        }
      }
      for (const name of ["I16", "U64", "I64", "F64", "F32", "U8A"]) assert.ok(distinct.get(name)!.size > 1, `${name} varies`);
      assert.deepEqual([...distinct.get("Same")!], ["7"]);
    });

    it("reaches both ends of an integer range", async () => {
      const low = driverWith({ random: () => 0 }, [profile]);
      const high = driverWith({ random: () => 0.999999999 }, [profile]);
      assert.equal(await readOne(low, profile, "I16"), -5);
      assert.equal(await readOne(high, profile, "I16"), 5);
      assert.equal(await readOne(low, profile, "U64"), 10n);
      assert.equal(await readOne(high, profile, "U64"), 20n);
    });

    it("uses the type's whole range when the resource has no bounds", async () => {
      const int = profiles.get("Random-Integer-Device")!;
      const uint = profiles.get("Random-UnsignedInteger-Device")!;
      assert.equal(await readOne(driverWith({ random: () => 0 }), int, "Int8"), -128);
      assert.equal(await readOne(driverWith({ random: () => 0.999999999 }), uint, "Uint8"), 255);
      assert.equal(await readOne(driverWith({ random: () => 0 }), int, "Int64"), -9223372036854775808n);
    });
  });

  describe("write", () => {
    it("makes later reads return a written value and turns randomisation off (WriteFloat32Value)", async () => {
      const driver = driverWith();
      const device = deviceOf(FLOAT);
      const float32 = resourceOf(FLOAT, "Float32");
      const flag = resourceOf(FLOAT, "EnableRandomization_Float32");
      await driver.write(device, [requestOf(float32), requestOf(flag)], [valueOf(float32, 42.5), valueOf(flag, false)]);
      assert.equal(driver.isRandomized(device.name, "Float32"), false);
      for (let i = 0; i < 5; i++) assert.equal(await readOne(driver, FLOAT, "Float32"), 42.5);
      assert.equal(await readOne(driver, FLOAT, "EnableRandomization_Float32"), false);
    });

    it("turns randomisation off by writing the value alone, and back on with EnableRandomization_<name>", async () => {
      const driver = driverWith({ random: cyclic([0.1, 0.6, 0.3, 0.9]) });
      const device = deviceOf(FLOAT);
      const float64 = resourceOf(FLOAT, "Float64");
      const flag = resourceOf(FLOAT, "EnableRandomization_Float64");
      await driver.write(device, [requestOf(float64)], [valueOf(float64, -1.25)]);
      assert.equal(await readOne(driver, FLOAT, "Float64"), -1.25);
      await driver.write(device, [requestOf(flag)], [valueOf(flag, true)]);
      assert.equal(driver.isRandomized(device.name, "Float64"), true);
      assert.notEqual(await readOne(driver, FLOAT, "Float64"), -1.25);
    });

    it("freezes the last random value when randomisation is turned off", async () => {
      const driver = driverWith();
      const int = profiles.get("Random-Integer-Device")!;
      const flag = resourceOf(int, "EnableRandomization_Int32");
      const last = await readOne(driver, int, "Int32");
      await driver.write(deviceOf(int), [requestOf(flag)], [valueOf(flag, false)]);
      assert.equal(await readOne(driver, int, "Int32"), last);
      assert.equal(await readOne(driver, int, "Int32"), last);
    });

    it("stores arrays and objects as copies", async () => {
      const driver = driverWith();
      const object = profiles.get("Fixed-Object-Device")!;
      const res = resourceOf(object, "Object");
      const written = { a: 1, nested: { b: [1, 2] } };
      await driver.write(deviceOf(object), [requestOf(res)], [valueOf(res, written)]);
      written.nested.b.push(3);
      const read = (await readOne(driver, object, "Object")) as { nested: { b: number[] } };
      assert.deepEqual(read, { a: 1, nested: { b: [1, 2] } });
      read.nested.b.push(4);
      assert.deepEqual(await readOne(driver, object, "Object"), { a: 1, nested: { b: [1, 2] } });

      const uint = profiles.get("Random-UnsignedInteger-Device")!;
      const arr = resourceOf(uint, "Uint64Array");
      await driver.write(deviceOf(uint), [requestOf(arr)], [valueOf(arr, [1n, 18446744073709551615n])]);
      assert.deepEqual(await readOne(driver, uint, "Uint64Array"), [1n, 18446744073709551615n]);
    });

    it("refuses a value that does not fit the type, and then stores nothing of the request", async () => {
      const driver = driverWith();
      const int = profiles.get("Random-Integer-Device")!;
      const int8 = resourceOf(int, "Int8");
      const int16 = resourceOf(int, "Int16");
      await assert.rejects(
        driver.write(deviceOf(int), [requestOf(int16), requestOf(int8)], [valueOf(int16, 7), valueOf(int8, 300)]),
        (err: unknown) => err instanceof ServiceError && err.code === VirtualErrorCode.ValueInvalid && err.kind === "ContractInvalid",
      );
      assert.equal(driver.isRandomized(deviceOf(int).name, "Int16"), undefined, "Int16 untouched");
      const flag = resourceOf(int, "EnableRandomization_Int8");
      await assert.rejects(driver.write(deviceOf(int), [requestOf(flag)], [valueOf(flag, "yes")]), (err: unknown) => err instanceof ServiceError && err.code === VirtualErrorCode.ValueInvalid);
      const arr = resourceOf(int, "Int8Array");
      await assert.rejects(driver.write(deviceOf(int), [requestOf(arr)], [valueOf(arr, [1, 2.5])]), (err: unknown) => err instanceof ServiceError && err.code === VirtualErrorCode.ValueInvalid);
    });

    it("refuses to write Binary, as EdgeX does", async () => {
      const binary = profiles.get("Random-Binary-Device")!;
      const res = resourceOf(binary, "Binary");
      await assert.rejects(
        driverWith().write(deviceOf(binary), [requestOf(res)], [valueOf(res, new Uint8Array([1]))]),
        (err: unknown) => err instanceof ServiceError && err.code === VirtualErrorCode.WriteUnsupported,
      );
    });
  });

  describe("profile defaults", () => {
    it("starts from defaultValue when the profile's EnableRandomization default is false", async () => {
      const profile: DeviceProfile = {
        name: "Fixed",
        deviceResources: [
          { name: "EnableRandomization_Level", properties: { valueType: "Bool", readWrite: "W", defaultValue: "false" } },
          { name: "Level", properties: { valueType: "Int32Array", readWrite: "RW", defaultValue: "[1 2 3]" } },
          { name: "EnableRandomization_Bad", properties: { valueType: "Bool", readWrite: "W", defaultValue: "false" } },
          { name: "Bad", properties: { valueType: "Uint8", readWrite: "R", defaultValue: "-1" } },
        ],
      };
      const driver = driverWith({}, [profile]);
      assert.deepEqual(await readOne(driver, profile, "Level"), [1, 2, 3]);
      await assert.rejects(readOne(driver, profile, "Bad"), (err: unknown) => err instanceof ServiceError && err.code === VirtualErrorCode.DefaultValueInvalid);
    });
  });

  describe("device lifecycle", () => {
    it("forgets a device's values when it is removed or moves to another profile, not on other updates", async () => {
      const driver = driverWith();
      const device = deviceOf(FLOAT);
      const float32 = resourceOf(FLOAT, "Float32");
      const write = () => driver.write(device, [requestOf(float32)], [valueOf(float32, 1.5)]);
      await write();
      driver.onDeviceUpdated({ ...device, description: "changed" }, device);
      assert.equal(await readOne(driver, FLOAT, "Float32"), 1.5);
      driver.onDeviceUpdated({ ...device, profileName: "Other" }, device);
      assert.equal(driver.isRandomized(device.name, "Float32"), undefined);
      await write();
      driver.onDeviceRemoved(device);
      assert.equal(driver.isRandomized(device.name, "Float32"), undefined);
      await write();
      await driver.stop({ force: false });
      assert.equal(driver.isRandomized(device.name, "Float32"), undefined);
    });

    it("keeps devices apart", async () => {
      const driver = driverWith();
      const float32 = resourceOf(FLOAT, "Float32");
      await driver.write(deviceOf(FLOAT, "a"), [requestOf(float32)], [valueOf(float32, 3)]);
      assert.equal(await readOne(driver, FLOAT, "Float32", "a"), 3);
      assert.equal(driver.isRandomized("b", "Float32"), undefined);
      await readOne(driver, FLOAT, "Float32", "b");
      assert.equal(driver.isRandomized("b", "Float32"), true);
    });

    it("accepts any protocol block and refuses a device without one", () => {
      const driver = driverWith();
      assert.doesNotThrow(() => driver.validateDevice({ ...deviceOf(FLOAT), protocols: { anything: { Address: "x" } } }));
      assert.throws(
        () => driver.validateDevice({ ...deviceOf(FLOAT), protocols: {} }),
        (err: unknown) => err instanceof ServiceError && err.kind === "ContractInvalid" && err.code === "DEVICE_INVALID",
      );
    });
  });
});
