import { describe, expect, it } from "vitest";
import {
  centimesToInput,
  formatCentimes,
  formatDate,
  formatDateTime,
  formatPercent,
  formatSiren,
  formatTelephone,
  nextStatutsAffaire,
  parseEurosToCentimes,
  passwordRules,
} from "./format";

const sp = (s: string) => s.replace(/\u00a0/g, " ");

describe("formatCentimes", () => {
  it("formats integer cents as French euros", () => {
    expect(sp(formatCentimes(123456))).toBe("1 234,56 €");
    expect(sp(formatCentimes(0))).toBe("0,00 €");
    expect(sp(formatCentimes(5))).toBe("0,05 €");
    expect(sp(formatCentimes(100000000))).toBe("1 000 000,00 €");
  });
  it("uses no-break spaces so amounts never wrap", () => {
    expect(formatCentimes(123456)).toBe("1\u00a0234,56\u00a0€");
  });
  it("shows a dash when there is no amount", () => {
    expect(formatCentimes(undefined)).toBe("—");
    expect(formatCentimes(null)).toBe("—");
    expect(formatCentimes(Number.NaN)).toBe("—");
  });
  it("keeps negative amounts", () => {
    expect(sp(formatCentimes(-250))).toBe("-2,50 €");
  });
});

describe("formatPercent", () => {
  it("formats integer percents", () => {
    expect(sp(formatPercent(20))).toBe("20 %");
    expect(sp(formatPercent(12.5))).toBe("12,5 %");
    expect(formatPercent(undefined)).toBe("—");
  });
});

describe("formatDate", () => {
  it("formats dates as jj/mm/aaaa", () => {
    expect(formatDate("2026-03-07")).toBe("07/03/2026");
    expect(formatDate("2026-03-07T10:00:00Z")).toBe("07/03/2026");
  });
  it("uses the Paris day for instants near midnight", () => {
    expect(formatDate("2026-12-31T23:30:00Z")).toBe("01/01/2027");
  });
  it("shows a dash for missing or invalid dates", () => {
    expect(formatDate("")).toBe("—");
    expect(formatDate(undefined)).toBe("—");
    expect(formatDate("pas une date")).toBe("—");
  });
  it("formats date-times with the hour", () => {
    expect(formatDateTime("2026-06-01T08:05:00Z")).toBe("01/06/2026 à 10:05");
  });
});

describe("parseEurosToCentimes", () => {
  it("reads what a person types", () => {
    expect(parseEurosToCentimes("1 234,56")).toBe(123456);
    expect(parseEurosToCentimes("1234.5")).toBe(123450);
    expect(parseEurosToCentimes("1\u202f234 €")).toBe(123400);
    expect(parseEurosToCentimes("0,07")).toBe(7);
    expect(parseEurosToCentimes("19,99")).toBe(1999);
  });
  it("refuses what is not an amount", () => {
    expect(parseEurosToCentimes("")).toBeNull();
    expect(parseEurosToCentimes("abc")).toBeNull();
    expect(parseEurosToCentimes("1,234")).toBeNull();
    expect(parseEurosToCentimes("-5")).toBeNull();
  });
  it("round-trips with centimesToInput", () => {
    for (const c of [0, 1, 99, 100, 123456, 100000007]) {
      expect(parseEurosToCentimes(centimesToInput(c))).toBe(c);
    }
  });
});

describe("formatTelephone", () => {
  it("shows French numbers in the national format, others as stored", () => {
    expect(formatTelephone("+33612345678").replace(/\u00a0/g, " ")).toBe("06 12 34 56 78");
    expect(formatTelephone("+32470123456")).toBe("+32470123456");
    expect(formatTelephone("")).toBe("—");
  });
});

describe("formatSiren", () => {
  it("groups nine digits by three, keeps anything else as it is", () => {
    expect(formatSiren("732829320")).toBe("732 829 320");
    expect(formatSiren("73282932")).toBe("73282932");
    expect(formatSiren(undefined)).toBe("—");
  });
});

describe("nextStatutsAffaire", () => {
  it("follows en_cours → signee | perdue, signee → resiliee", () => {
    expect(nextStatutsAffaire("en_cours")).toEqual(["en_cours", "signee", "perdue"]);
    expect(nextStatutsAffaire("signee")).toEqual(["signee", "resiliee"]);
    expect(nextStatutsAffaire("perdue")).toEqual(["perdue"]);
    expect(nextStatutsAffaire("resiliee")).toEqual(["resiliee"]);
  });
});

describe("passwordRules", () => {
  const ok = (pw: string) => passwordRules(pw).every((r) => r.ok);
  it("needs 10 characters, a lowercase, an uppercase and a digit", () => {
    expect(ok("Abcdefghi1")).toBe(true);
    expect(ok("Abcdefgh1")).toBe(false);
    expect(ok("abcdefghi1")).toBe(false);
    expect(ok("ABCDEFGHI1")).toBe(false);
    expect(ok("Abcdefghij")).toBe(false);
    expect(ok("Éléphant-rose-42")).toBe(true);
  });
});
