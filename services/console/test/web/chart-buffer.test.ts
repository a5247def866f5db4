/** The live chart's fixed window: rows by time bucket, oldest out first, late readings placed or dropped. */
import { strict as assert } from "node:assert";
import { SeriesWindow } from "../../web/src/chart-buffer.js";

describe("SeriesWindow", () => {
  it("puts readings of one bucket in one row and leaves gaps as null", () => {
    const w = new SeriesWindow(["a", "b"], 10, 100);
    assert.equal(w.put(0, 1_000, 1), true);
    assert.equal(w.put(1, 1_050, 2), true);
    assert.equal(w.put(0, 1_120, 3), true);
    assert.deepEqual(w.data(), [[1, 1.1], [1, 3], [2, null]]);
    assert.equal(w.points, 3);
  });

  it("keeps the newest `capacity` rows, however long it runs", () => {
    const w = new SeriesWindow(["a"], 5, 100);
    for (let i = 0; i < 1000; i++) w.put(0, i * 100, i);
    assert.equal(w.size, 5);
    assert.deepEqual(w.data(), [[99.5, 99.6, 99.7, 99.8, 99.9], [995, 996, 997, 998, 999]]);
  });

  it("places a late reading in its row while the row is held, and drops it after", () => {
    const w = new SeriesWindow(["a", "b"], 4, 100);
    for (let i = 0; i < 4; i++) w.put(0, i * 100, i);
    assert.equal(w.put(1, 150, 9), true, "row 100 is still held");
    assert.equal(w.put(1, -100, 9), false, "older than the window");
    assert.equal(w.put(2, 300, 1), false, "no such series");
    assert.deepEqual(w.data()[2], [null, 9, null, null]);
  });

  it("hands out the same arrays on every redraw once the window is full", () => {
    const w = new SeriesWindow(["a", "b"], 3, 100);
    for (let i = 0; i < 3; i++) w.put(0, i * 100, i);
    const first = w.data();
    w.put(1, 350, 7);
    const second = w.data();
    assert.equal(second, first);
    assert.equal(second[0], first[0]);
    assert.deepEqual(second, [[0.1, 0.2, 0.3], [1, 2, null], [null, null, 7]]);
  });
});
