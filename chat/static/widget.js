/* Vraagbaak chat widget: one script, no dependencies, nothing loaded from third parties.
 *
 *   <script src="https://YOUR-VRAAGBAAK-SERVER/widget.js" defer></script>
 *   <vraagbaak-chat></vraagbaak-chat>
 *
 * It talks only to the server it was loaded from, sends no cookies (credentials: "omit"),
 * and keeps the conversation in memory only: nothing is written to the browser's storage.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  const SERVER = script ? new URL(script.src).origin + new URL(script.src).pathname.replace(/\/widget\.js$/, "") : "";

  const LABELS = {
    en: { open: "Ask Vraagbaak", close: "Close", title: "Vraagbaak", subtitle: "Belgian asylum and migration policy",
          input: "Your question", send: "Send", sources: "Sources", thinking: "Searching the documents…",
          intro: "Ask in Dutch, French or English. Every answer cites its sources. Your questions are not stored.",
          failed: "Vraagbaak cannot be reached right now. Please try again later." },
    nl: { open: "Vraag het Vraagbaak", close: "Sluiten", title: "Vraagbaak", subtitle: "Belgisch asiel- en migratiebeleid",
          input: "Uw vraag", send: "Verstuur", sources: "Bronnen", thinking: "De documenten worden doorzocht…",
          intro: "Vraag in het Nederlands, Frans of Engels. Elk antwoord vermeldt zijn bronnen. Uw vragen worden niet bewaard.",
          failed: "Vraagbaak is nu niet bereikbaar. Probeer het later opnieuw." },
    fr: { open: "Demander à Vraagbaak", close: "Fermer", title: "Vraagbaak", subtitle: "Politique belge d'asile et de migration",
          input: "Votre question", send: "Envoyer", sources: "Sources", thinking: "Recherche dans les documents…",
          intro: "Posez votre question en néerlandais, français ou anglais. Chaque réponse cite ses sources. Vos questions ne sont pas conservées.",
          failed: "Vraagbaak est injoignable pour le moment. Réessayez plus tard." },
  };
  const LANG_NAMES = { nl: "Nederlands", fr: "français", en: "English" };

  const CSS = `
    :host { all: initial; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    * { box-sizing: border-box; }
    .launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; border: 0; border-radius: 999px;
      padding: 12px 18px; background: #1d4e89; color: #fff; font: 600 15px/1.2 inherit; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); }
    .launcher:focus-visible, button:focus-visible, textarea:focus-visible, summary:focus-visible {
      outline: 3px solid #f5a623; outline-offset: 2px; }
    .panel { position: fixed; right: 16px; bottom: 76px; z-index: 2147483000; width: min(400px, calc(100vw - 16px));
      height: min(620px, calc(100vh - 96px)); display: flex; flex-direction: column; background: #fff; color: #1a1a1a;
      border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.3); overflow: hidden; font-size: 15px; line-height: 1.45; }
    .panel[hidden] { display: none; }
    @media (max-width: 480px) { .panel { right: 8px; left: 8px; width: auto; bottom: 72px; height: calc(100vh - 88px); } }
    header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: #1d4e89; color: #fff; }
    header h2 { margin: 0; font-size: 16px; } header p { margin: 0; font-size: 12px; opacity: .9; }
    header .close { margin-left: auto; background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.6);
      border-radius: 8px; padding: 4px 10px; cursor: pointer; font: inherit; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; background: #f6f7f9; }
    .msg { max-width: 92%; padding: 9px 12px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; }
    .user { align-self: flex-end; background: #1d4e89; color: #fff; }
    .bot { align-self: flex-start; background: #fff; border: 1px solid #dde1e6; }
    .intro { align-self: stretch; font-size: 13px; color: #444; background: transparent; border: 0; padding: 0 2px; }
    details { margin-top: 8px; font-size: 13px; } summary { cursor: pointer; font-weight: 600; color: #1d4e89; }
    ol { margin: 6px 0 0; padding-left: 18px; } li { margin-bottom: 8px; }
    .src-title { font-weight: 600; } .src-meta { color: #555; font-size: 12px; }
    blockquote { margin: 4px 0 0; padding-left: 8px; border-left: 3px solid #c9d3df; color: #333; white-space: normal; }
    form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #dde1e6; background: #fff; }
    textarea { flex: 1; resize: none; min-height: 42px; max-height: 120px; padding: 9px 10px; border: 1px solid #9aa5b1;
      border-radius: 10px; font: inherit; color: inherit; }
    form button { border: 0; border-radius: 10px; padding: 0 16px; background: #1d4e89; color: #fff; font: 600 14px inherit; cursor: pointer; }
    form button:disabled { opacity: .5; cursor: wait; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  function pickLang(el) {
    const wanted = (el.getAttribute("lang") || document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
    return LABELS[wanted] ? wanted : "en";
  }

  function make(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function* sseEvents(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (data) yield { event, data: JSON.parse(data) };
      }
    }
  }

  class VraagbaakChat extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const t = LABELS[pickLang(this)];
      const root = this.attachShadow({ mode: "open" });
      const server = this.getAttribute("server") || SERVER;
      this.history = [];
      root.append(make("style", {}, CSS));

      const launcher = make("button", { class: "launcher", type: "button", "aria-expanded": "false",
                                         "aria-controls": "vb-panel" }, t.open);
      const panel = make("section", { class: "panel", id: "vb-panel", role: "dialog", "aria-modal": "false",
                                       "aria-labelledby": "vb-title", hidden: "" });
      const header = make("header");
      const titles = make("div");
      titles.append(make("h2", { id: "vb-title" }, t.title), make("p", {}, t.subtitle));
      const close = make("button", { class: "close", type: "button", "aria-label": t.close }, "×");
      header.append(titles, close);
      const log = make("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions" });
      log.append(make("p", { class: "msg intro" }, t.intro));
      const form = make("form");
      const label = make("label", { for: "vb-input", class: "sr-only" }, t.input);
      const input = make("textarea", { id: "vb-input", rows: "1", placeholder: t.input, maxlength: "500",
                                        autocomplete: "off" });
      const send = make("button", { type: "submit" }, t.send);
      form.append(label, input, send);
      panel.append(header, log, form);
      root.append(launcher, panel);

      const toggle = (open) => {
        panel.hidden = !open;
        launcher.setAttribute("aria-expanded", String(open));
        (open ? input : launcher).focus();
      };
      launcher.addEventListener("click", () => toggle(panel.hidden));
      close.addEventListener("click", () => toggle(false));
      panel.addEventListener("keydown", (e) => { if (e.key === "Escape") toggle(false); });
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
      });
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const question = input.value.trim();
        if (!question || send.disabled) return;
        input.value = "";
        send.disabled = true;
        log.append(make("div", { class: "msg user" }, question));
        const bubble = make("div", { class: "msg bot", "aria-busy": "true" }, t.thinking);
        log.append(bubble);
        log.scrollTop = log.scrollHeight;
        try {
          await this.ask(server, question, bubble, t);
        } catch (err) {
          bubble.textContent = t.failed;
        } finally {
          bubble.removeAttribute("aria-busy");
          send.disabled = false;
          input.focus();
          log.scrollTop = log.scrollHeight;
        }
      });
    }

    async ask(server, question, bubble, t) {
      const response = await fetch(server + "/api/ask/stream", {
        method: "POST", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question, history: this.history.slice(-6) }),
      });
      if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
      let text = "";
      for await (const { event, data } of sseEvents(response)) {
        if (event === "token") {
          text += data.text;
          bubble.textContent = text;
        } else if (event === "answer") {
          this.render(bubble, data, t);
          this.history.push({ role: "user", content: question }, { role: "assistant", content: data.answer });
        } else if (event === "error") {
          bubble.textContent = data.error;
        }
        bubble.parentNode.scrollTop = bubble.parentNode.scrollHeight;
      }
    }

    render(bubble, answer, t) {
      bubble.textContent = answer.answer;
      if (!answer.citations || !answer.citations.length) return;
      const details = make("details");
      details.append(make("summary", {}, `${t.sources} (${answer.citations.length})`));
      const list = make("ol");
      for (const c of answer.citations) {
        const item = make("li", { value: String(c.n) });
        const section = c.section ? c.section.split(" > ").pop() + " · " : "";
        item.append(make("div", { class: "src-title" }, c.title),
                    make("div", { class: "src-meta" }, `${section}${LANG_NAMES[c.language] || c.language} · ${c.doc}`),
                    make("blockquote", { lang: c.language }, c.quote));
        list.append(item);
      }
      details.append(list);
      bubble.append(details);
    }
  }

  if (!customElements.get("vraagbaak-chat")) customElements.define("vraagbaak-chat", VraagbaakChat);
})();
