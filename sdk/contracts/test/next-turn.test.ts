import { strict as assert } from "node:assert";
import { NextTurn } from "../src/next-turn.js";

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("NextTurn", () => {
  it("runs once on the next turn however often it is asked, and again when asked after that", async () => {
    let runs = 0;
    const next = new NextTurn(() => runs++);
    next.request();
    next.request();
    next.request();
    assert.equal(runs, 0, "not within the asking turn");
    assert.equal(next.pending, true);
    await turn();
    assert.equal(runs, 1);
    assert.equal(next.pending, false);
    next.request();
    await turn();
    assert.equal(runs, 2);
  });

  it("takes a request made during its run as one for the turn after", async () => {
    let runs = 0;
    const next: NextTurn = new NextTurn(() => {
      runs++;
      if (runs === 1) next.request();
    });
    next.request();
    await turn();
    assert.equal(runs, 1);
    await turn();
    assert.equal(runs, 2);
  });
});
