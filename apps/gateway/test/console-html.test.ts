import { describe, expect, it } from "vitest";
import { escapeHtml, html, SafeHtml } from "../src/console/html.js";

describe("the console's HTML template", () => {
  it("escapes every interpolated string, in text and in attributes", () => {
    const name = `<script>alert("x")</script> & 'quoted'`;
    const out = html`<p title="${name}">${name}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;</p>',
    );
    expect(out).not.toContain("<script>");
  });

  it("passes nested templates through unescaped, and escapes each item of a list", () => {
    const items = ["<a>", "b&c"];
    const out = html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.value;
    expect(out).toBe("<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>");
  });

  it("renders nothing for null, undefined and booleans, and numbers as text", () => {
    expect(html`[${null}${undefined}${false}${true}${0}${42}]`.value).toBe("[042]");
  });

  it("does not treat a string that looks like markup as markup", () => {
    const sneaky = { value: "<b>" } as unknown as string;
    expect(html`${String(sneaky)}`.value).toBe("[object Object]");
    expect(html`${new SafeHtml("<b>ok</b>")}`.value).toBe("<b>ok</b>");
    expect(escapeHtml("\"'<>&")).toBe("&quot;&#39;&lt;&gt;&amp;");
  });
});
