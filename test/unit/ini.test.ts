import { describe, expect, it } from "vitest";
import { fillSecrets, maskSecrets, secretSlot, slotNames } from "../../src/core/render/secret-slots.js";
import { escapeIniFragment, escapeIniValue } from "../../src/core/render/ini.js";

describe("INI escaping", () => {
  it.each([
    ["oslo", "a$b$$c", "a$$b$$$$c"],
    ["oslo", "100%", "100%"],
    ["oslo", '"quoted"', '""quoted""'],
    ["oslo", "'x'", "\"'x'\""],
    ["oslo", '"', '"""'],
    ["oslo", '"open', '"open'],
    ["paste", "100%", "100%%"],
    ["paste", "a$b", "a$b"],
    ["paste", '"quoted"', '"quoted"'],
    ["swift", "%", "%%"],
    ["swift", '"open', '""open"'],
  ] as const)("%s escapes %j as %j", (dialect, value, expected) => {
    expect(escapeIniValue(dialect, value)).toBe(expected);
  });

  it("escapes a URL fragment without quoting it", () => {
    expect(escapeIniFragment("paste", "p%40ss")).toBe("p%%40ss");
    expect(escapeIniFragment("oslo", '"$"')).toBe('"$$"');
  });
});

describe("secret slots", () => {
  const content = `password = ${secretSlot("a")}\nurl = mysql://u:${secretSlot("b", "url")}@h/db\n`;

  it("lists, masks and fills them with each reader's escaping", () => {
    expect(slotNames(content)).toEqual(["a", "b"]);
    expect(maskSecrets(content)).toBe("password = ********\nurl = mysql://u:********@h/db\n");
    const values = new Map([
      ["a", '"p$%'],
      ["b", "p@ss/%$"],
    ]);
    expect(fillSecrets({ content, dialect: "oslo" }, values)).toBe('password = "p$$%\nurl = mysql://u:p%40ss%2F%25%24@h/db\n');
    expect(fillSecrets({ content, dialect: "paste" }, values)).toBe('password = "p$%%\nurl = mysql://u:p%%40ss%%2F%%25%%24@h/db\n');
  });

  it("refuses to leave a slot unfilled", () => {
    expect(() => fillSecrets({ content, dialect: "none" }, new Map())).toThrow(/not resolved/u);
  });
});
