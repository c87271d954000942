import { describe, expect, it } from "vitest";
import { parseCSV } from "./csv";

describe("parseCSV", () => {
  const cases: [string, string, string[][]][] = [
    ["plain cells, CRLF", "a;b\r\nc;d\r\n", [["a", "b"], ["c", "d"]]],
    ["no final line end", "a;b\r\nc;d", [["a", "b"], ["c", "d"]]],
    ["LF only", "a;b\nc;d\n", [["a", "b"], ["c", "d"]]],
    ["a quoted separator", '"Dupont; Jean";x\r\n', [["Dupont; Jean", "x"]]],
    ["doubled quotes", '"il a dit ""oui""";x\r\n', [['il a dit "oui"', "x"]]],
    ["a line break in a cell", '"ligne 1\r\nligne 2";x\r\n', [["ligne 1\r\nligne 2", "x"]]],
    ["empty cells", ";;\r\n", [["", "", ""]]],
    ["a quote inside an unquoted cell", "l'a;5\"\r\n", [["l'a", '5"']]],
    ["nothing", "", []],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => expect(parseCSV(text)).toEqual(want));
  }
});
