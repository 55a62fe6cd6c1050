import { describe, expect, test } from "bun:test";
import { isDownload, isLinkClick, linkEvent } from "../../ui/tracker/links.ts";

const HOST = "shop.test";
/** The event of a click on `href` for a script that tracks both kinds of link. */
const event = (href: string) => linkEvent(new URL(href, `https://${HOST}/page`), HOST, isDownload, true);

describe("linkEvent", () => {
  test("links within the site are nothing", () => {
    expect(event("/about")).toBeUndefined();
    expect(event("https://shop.test/about?x=1#y")).toBeUndefined();
    expect(event("#top")).toBeUndefined();
  });
  test("another host is outbound, a subdomain or port included", () => {
    expect(event("https://wine.example/")).toBe("Outbound Link: Click");
    expect(event("http://blog.shop.test/")).toBe("Outbound Link: Click");
    expect(event("https://shop.test:8443/")).toBe("Outbound Link: Click");
  });
  test("files are downloads, on any host, and a download wins over outbound", () => {
    expect(event("/files/price-list.pdf")).toBe("File Download");
    expect(event("/files/wines.CSV")).toBe("File Download");
    expect(event("https://cdn.example/setup.exe?v=2")).toBe("File Download");
    expect(event("https://cdn.example/film.mpeg")).toBe("File Download");
    expect(event("https://cdn.example/song.mid")).toBe("File Download");
    expect(event("https://cdn.example/archive.tar.gz")).toBe("File Download");
  });
  test("every listed extension", () => {
    const extensions =
      "pdf xls xlsx doc docx txt rtf csv exe key pps ppt pptx 7z pkg rar gz zip avi mov mp4 mpg mpeg wmv mid midi mp3 wav wma dmg iso epub";
    for (const extension of extensions.split(" ")) expect(event(`/f.${extension}`)).toBe("File Download");
  });
  test("extension-like words that are not a file's extension", () => {
    expect(event("/pdf")).toBeUndefined();
    expect(event("/report.pdf/view")).toBeUndefined();
    expect(event("/index.html")).toBeUndefined();
    expect(event("/notes.text")).toBeUndefined();
  });
  test("non-http links are neither", () => {
    expect(event("mailto:shop@wine.example")).toBeUndefined();
    expect(event("tel:+441234")).toBeUndefined();
    expect(event("javascript:void(0)")).toBeUndefined();
    expect(event("ftp://files.example/a.zip")).toBeUndefined();
  });
});

describe("linkEvent in a script that tracks one kind of link", () => {
  const url = (href: string) => new URL(href, `https://${HOST}/page`);
  test("outbound only: a file on another host is an outbound click, one here is nothing", () => {
    expect(linkEvent(url("https://wine.example/"), HOST, false, true)).toBe("Outbound Link: Click");
    expect(linkEvent(url("https://cdn.example/setup.exe"), HOST, false, true)).toBe("Outbound Link: Click");
    expect(linkEvent(url("/files/price-list.pdf"), HOST, false, true)).toBeUndefined();
  });
  test("downloads only: an outbound click is nothing", () => {
    expect(linkEvent(url("https://wine.example/"), HOST, isDownload, false)).toBeUndefined();
    expect(linkEvent(url("https://cdn.example/setup.exe"), HOST, isDownload, false)).toBe("File Download");
    expect(linkEvent(url("/files/price-list.pdf"), HOST, isDownload, false)).toBe("File Download");
    expect(linkEvent(url("mailto:shop@wine.example"), HOST, isDownload, false)).toBeUndefined();
  });
});

test("isLinkClick: primary and middle clicks, not right clicks", () => {
  expect(isLinkClick({ type: "click", button: 0 })).toBe(true);
  expect(isLinkClick({ type: "auxclick", button: 1 })).toBe(true);
  expect(isLinkClick({ type: "auxclick", button: 2 })).toBe(false);
});
