import { describe, expect, test } from "bun:test";
import { catalogueFor, DEFAULT, INFERNO, parseCatalogue } from "../../lib/spree/catalogue.ts";

describe("built-in catalogues", () => {
  test("default lists lobby, othello, chat", () => {
    expect(DEFAULT).toEqual([
      { name: "lobby", title: "Lobby", clienttype: "lobby", start: "lobby" },
      { name: "othello", title: "Othello", clienttype: "othello", start: "gather 2 othello" },
      { name: "chat", title: "Chat", clienttype: "chat", start: "chat" },
    ]);
  });

  test("default keeps only what the installed engines can start", () => {
    const names = (installed?: string[]) => catalogueFor("default", installed).map((e) => e.name);
    expect(names()).toEqual(["lobby", "othello", "chat"]);
    expect(names(["lobby", "gather", "othello", "chat"])).toEqual(["lobby", "othello", "chat"]);
    expect(names(["lobby", "chat"])).toEqual(["lobby", "chat"]);
    expect(names(["lobby", "gather"])).toEqual(["lobby"]);
    expect(names(["lobby", "othello"])).toEqual(["lobby"]);
    expect(names(["lobby", "gather", "othello"])).toEqual(["lobby", "othello"]);
  });

  test("inferno is the original nine in order, whatever is installed (probe1)", () => {
    expect(catalogueFor("inferno", ["lobby"])).toBe(INFERNO);
    expect(INFERNO.map((e) => [e.title, e.name, e.clienttype, e.start])).toEqual([
      ["Freecell", "freecell", "cards", "gather 1 freecell"],
      ["Lobby", "lobby", "lobby", "lobby"],
      ["Spit", "spit", "cards", "gather 2 spit"],
      ["Canfield", "canfield", "cards", "gather 1 canfield"],
      ["Afghan", "afghan", "cards", "gather 1 afghan"],
      ["Spider", "spider", "cards", "gather 1 spider"],
      ["Racing Demon", "racingdemon", "cards", "gather 3 racingdemon"],
      ["Othello", "othello", "othello", "gather 2 othello"],
      ["Whist", "whist", "whist", "gather 4 whist"],
    ]);
  });
});

describe("parseCatalogue", () => {
  test("reads four TAB-separated fields a line, skipping blanks, comments and CRs", () => {
    const text = "# session types\n\nchat\tChat\tchat\tchat\r\n  \nothello\tOthello game\tothello\tgather 2 othello\n";
    expect(parseCatalogue(text)).toEqual([
      { name: "chat", title: "Chat", clienttype: "chat", start: "chat" },
      { name: "othello", title: "Othello game", clienttype: "othello", start: "gather 2 othello" },
    ]);
  });

  test("an empty file is an empty catalogue", () => {
    expect(parseCatalogue("")).toEqual([]);
    expect(parseCatalogue("# nothing\n")).toEqual([]);
  });

  test("the first line with the wrong number of fields is the error", () => {
    expect(parseCatalogue("chat\tChat\tchat\tchat\nchat Chat chat chat\nx\n")).toEqual({
      line: 2,
      reason: "expected 4 TAB-separated fields (name, title, clienttype, start), found 1",
    });
    expect(parseCatalogue("a\tb\tc\td\te")).toEqual({
      line: 1,
      reason: "expected 4 TAB-separated fields (name, title, clienttype, start), found 5",
    });
  });

  test("a blank field is an error naming it", () => {
    expect(parseCatalogue("\n\nchat\tChat\t\tchat\n")).toEqual({ line: 3, reason: "empty clienttype field" });
    expect(parseCatalogue("chat\tChat\tchat\t \n")).toEqual({ line: 1, reason: "empty start field" });
    expect(parseCatalogue("\tChat\tchat\tchat\n")).toEqual({ line: 1, reason: "empty name field" });
  });
});
