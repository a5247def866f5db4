import assert from "node:assert/strict";
import { ServiceError } from "@brink/contracts";
import { SubjectTrie, assertPattern, assertSubject, isValidPattern, isValidSubject, subjectMatches } from "../src/subject-match.js";

describe("subject-match", function () {
  describe("isValidSubject / isValidPattern", function () {
    const cases: Array<[string, boolean, boolean]> = [
      // text, valid subject, valid pattern
      ["a", true, true],
      ["edgex.events.device.svc.prof.dev.src", true, true],
      ["a.b%2Ec.d", true, true],
      ["a*b.c>", true, true],
      ["ünïcode.tökens", true, true],
      ["", false, false],
      ["a..b", false, false],
      [".a", false, false],
      ["a.", false, false],
      ["a b", false, false],
      ["a\tb", false, false],
      ["a\nb", false, false],
      ["*", false, true],
      [">", false, true],
      ["a.*.c", false, true],
      ["a.>", false, true],
      ["a.>.b", false, false],
      ["a.*.>", false, true],
    ];
    for (const [text, subject, pattern] of cases) {
      it(`${JSON.stringify(text)}: subject ${subject}, pattern ${pattern}`, function () {
        assert.equal(isValidSubject(text), subject);
        assert.equal(isValidPattern(text), pattern);
      });
    }

    it("throws BUS_SUBJECT_INVALID with the offending text in details", function () {
      assert.throws(() => assertSubject("a.*"), (e: unknown) => e instanceof ServiceError && e.code === "BUS_SUBJECT_INVALID" && e.kind === "ContractInvalid" && e.details?.["subject"] === "a.*");
      assert.throws(() => assertPattern("a.>.b"), (e: unknown) => e instanceof ServiceError && e.code === "BUS_SUBJECT_INVALID" && e.details?.["pattern"] === "a.>.b");
      assert.doesNotThrow(() => assertPattern("a.>"));
    });
  });

  describe("subjectMatches", function () {
    const cases: Array<[string, string, boolean]> = [
      ["a.b", "a.b", true],
      ["a.b", "a.c", false],
      ["a.b", "a.b.c", false],
      ["a.b.c", "a.b", false],
      ["a.*", "a.b", true],
      ["a.*", "a", false],
      ["a.*", "a.b.c", false],
      ["*.b", "a.b", true],
      ["a.>", "a.b", true],
      ["a.>", "a.b.c.d", true],
      ["a.>", "a", false],
      [">", "a", true],
      [">", "a.b", true],
      ["*.*", "a.b", true],
      ["a.*.>", "a.b", false],
      ["a.*.>", "a.b.c", true],
      ["a*.b", "ax.b", false],
      ["a*.b", "a*.b", true],
    ];
    for (const [pattern, subject, expected] of cases) {
      it(`${pattern} ${expected ? "matches" : "does not match"} ${subject}`, function () {
        assert.equal(subjectMatches(pattern, subject), expected);
      });
    }
  });

  describe("SubjectTrie", function () {
    it("returns exactly the values whose pattern matches", function () {
      const trie = new SubjectTrie<string>();
      const patterns = ["a.b", "a.*", "a.>", ">", "*.b", "a.b.c", "x.y", "a.*.c", "*.*.*"];
      for (const p of patterns) trie.add(p, p);
      for (const subject of ["a.b", "a", "a.b.c", "x.y", "q.b", "a.x.c", "z"]) {
        const expected = patterns.filter((p) => subjectMatches(p, subject)).sort();
        assert.deepEqual(trie.match(subject).sort(), expected, subject);
      }
    });

    it("agrees with subjectMatches on random patterns and subjects", function () {
      const tokens = ["a", "b", "c"];
      const pick = (xs: string[], i: number): string => xs[i % xs.length]!;
      let seed = 7;
      const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
      const trie = new SubjectTrie<number>();
      const patterns: string[] = [];
      for (let i = 0; i < 300; i++) {
        const len = 1 + (rnd() % 4);
        const parts = Array.from({ length: len }, () => pick([...tokens, "*"], rnd()));
        if (rnd() % 4 === 0) parts[len - 1] = ">";
        patterns.push(parts.join("."));
        trie.add(parts.join("."), i);
      }
      for (let k = 0; k < 200; k++) {
        const len = 1 + (rnd() % 5);
        const subject = Array.from({ length: len }, () => pick(tokens, rnd())).join(".");
        const expected = patterns.flatMap((p, i) => (subjectMatches(p, subject) ? [i] : []));
        assert.deepEqual(trie.match(subject).sort((x, y) => x - y), expected, subject);
      }
    });

    it("removes one value per call, keeps duplicates under other patterns, and prunes empty branches", function () {
      const trie = new SubjectTrie<string>();
      trie.add("a.b.c", "v");
      trie.add("a.*.c", "v");
      trie.add("a.>", "w");
      assert.equal(trie.size, 3);
      assert.equal(trie.remove("a.b.c", "v"), true);
      assert.equal(trie.remove("a.b.c", "v"), false);
      assert.deepEqual(trie.match("a.b.c").sort(), ["v", "w"]);
      assert.equal(trie.remove("a.*.c", "v"), true);
      assert.equal(trie.remove("a.>", "w"), true);
      assert.equal(trie.size, 0);
      assert.deepEqual(trie.match("a.b.c"), []);
      assert.equal(trie.remove("nothing.here", "v"), false);
    });
  });
});
