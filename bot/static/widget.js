/*
 * Fujisawa SME Support Navigator: the chat widget.
 *
 * One line on any page (also on another origin; the API is found from this script's own src):
 *   <script src="https://NAVIGATOR-HOST/widget.js" data-title="藤沢市 中小企業支援ナビ" defer></script>
 * Optional: data-lang="en" (interface language before the first answer), data-api="https://…"
 * (API base, when it is not where this script came from).
 *
 * A plain web component with a shadow root, no build step. Safety rule: every text that comes
 * from the user or the knowledge base is put in the page with textContent / createTextNode, never
 * parsed as HTML; links are only made for http(s) URLs and tel: numbers built from digits.
 */
(function () {
  "use strict";

  const TAG = "fujisawa-navigator";
  if (window.customElements.get(TAG)) return;

  const script =
    document.currentScript || document.querySelector('script[src*="widget.js"]');
  const scriptUrl = new URL(script ? script.src : "/widget.js", window.location.href);
  const config = script ? script.dataset : {};
  const API_BASE = (config.api || new URL(".", scriptUrl).href).replace(/\/+$/, "");
  const MAX_CHARS = 1000;
  const SESSION_KEY = "fujisawa-navigator:session:" + API_BASE;

  const STRINGS = {
    ja: {
      title: "藤沢市 中小企業支援ナビ",
      open: "支援ナビを開く",
      launcher: "相談する",
      close: "閉じる",
      log: "会話",
      inputLabel: "質問",
      placeholder: "例: 設備を買うためにお金を借りたい",
      send: "送信",
      typing: "回答を作成しています…",
      welcome:
        "藤沢市の中小企業向け支援策をご案内します。お困りごとを書いてください（English is fine too）。",
      starters: ["設備を買うためにお金を借りたい", "人手不足で採用したい", "事業承継の相談をしたい"],
      you: "あなた",
      bot: "支援ナビ",
      sources: "出典",
      sourceOf: (n) => "出典" + n + "を表示",
      measure: "施策",
      location: "場所",
      document: "文書",
      recordId: "ID",
      contacts: "問い合わせ先",
      more: "詳しく",
      less: "閉じる",
      call: "電話",
      website: "ウェブサイト",
      hours: "受付",
      address: "所在地",
      suggestions: "次の質問の候補",
      helpful: "この回答は役に立ちましたか？",
      up: "役に立った",
      down: "役に立たなかった",
      commentLabel: "よろしければ理由をお聞かせください（任意）",
      commentSend: "送信",
      thanks: "フィードバックありがとうございました。",
      privacy: (days) =>
        "氏名・電話番号などの個人情報は入力しないでください。" + (days > 0 ? "会話は" + days + "日間保存されます。" : ""),
      errors: {
        empty_message: "質問を入力してください。",
        message_too_long: "質問が長すぎます（" + MAX_CHARS + "文字まで）。",
        control_characters: "使えない文字が含まれています。",
        rate_limited: (s) => "送信が続いています。" + s + "秒ほど待ってからお試しください。",
        index_not_ready: "準備中です。しばらくしてからお試しください。",
        network: "接続できませんでした。通信状況を確かめて、もう一度お試しください。",
        other: "エラーが起きました。もう一度お試しください。",
      },
    },
    en: {
      title: "Fujisawa SME Support Navigator",
      open: "Open the support navigator",
      launcher: "Ask",
      close: "Close",
      log: "Conversation",
      inputLabel: "Your question",
      placeholder: "e.g. I want a loan to buy equipment",
      send: "Send",
      typing: "Preparing an answer…",
      welcome:
        "I point small businesses in Fujisawa to the city's support programs. What do you need help with? (日本語もどうぞ)",
      starters: ["I want a low-interest loan", "How can I hire foreign workers?", "Help with business succession"],
      you: "You",
      bot: "Navigator",
      sources: "Sources",
      sourceOf: (n) => "Show source " + n,
      measure: "Measure",
      location: "Location",
      document: "Document",
      recordId: "ID",
      contacts: "Whom to contact",
      more: "More",
      less: "Less",
      call: "Call",
      website: "Website",
      hours: "Hours",
      address: "Address",
      suggestions: "Suggested questions",
      helpful: "Was this answer helpful?",
      up: "Helpful",
      down: "Not helpful",
      commentLabel: "Tell us why (optional)",
      commentSend: "Send",
      thanks: "Thank you for your feedback.",
      privacy: (days) =>
        "Please do not enter personal details (names, phone numbers)." +
        (days > 0 ? " Conversations are kept for " + days + " days." : ""),
      errors: {
        empty_message: "Please type a question.",
        message_too_long: "The question is too long (at most " + MAX_CHARS + " characters).",
        control_characters: "The question contains characters that cannot be used.",
        rate_limited: (s) => "Too many messages. Please wait about " + s + " seconds.",
        index_not_ready: "The navigator is starting up. Please try again shortly.",
        network: "Could not connect. Please check your connection and try again.",
        other: "Something went wrong. Please try again.",
      },
    },
  };

  /** Create an element; attributes are set as attributes, children are nodes or plain text. */
  function h(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** Only web links are made clickable; anything else (javascript:, data:) stays text. */
  function safeHttpUrl(value) {
    try {
      const url = new URL(String(value));
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  function telHref(phone) {
    const digits = String(phone).replace(/[^0-9+]/g, "");
    return digits.length >= 6 ? "tel:" + digits : null;
  }

  /** A speech-bubble icon drawn with DOM calls (no emoji font needed, no markup parsed). */
  function chatIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "22");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "launcher-icon");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute(
      "d",
      "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z",
    );
    svg.appendChild(path);
    return svg;
  }

  const storage = {
    get() {
      try {
        return window.sessionStorage.getItem(SESSION_KEY);
      } catch (_) {
        return null;
      }
    },
    set(value) {
      try {
        if (value) window.sessionStorage.setItem(SESSION_KEY, value);
        else window.sessionStorage.removeItem(SESSION_KEY);
      } catch (_) {
        /* storage may be disabled: the conversation then lasts as long as the page */
      }
    },
  };

  class NavigatorWidget extends HTMLElement {
    constructor() {
      super();
      this.uiLang = config.lang === "en" ? "en" : "ja";
      this.busy = false;
      this.count = 0;
      this.root = this.attachShadow({ mode: "open" });
    }

    connectedCallback() {
      if (this.built) return;
      this.built = true;
      this.setAttribute("lang", this.uiLang);
      // Invisible until the stylesheet is in, so the page never shows an unstyled widget.
      this.style.setProperty("display", "none");
      const sheet = h("link", { rel: "stylesheet", href: API_BASE + "/static/widget.css" });
      const reveal = () => this.style.removeProperty("display");
      sheet.addEventListener("load", reveal);
      sheet.addEventListener("error", reveal);
      this.root.appendChild(sheet);
      this.build();
    }

    build() {
      const s = STRINGS[this.uiLang];
      this.launcher = h(
        "button",
        { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "panel", "aria-label": s.open },
        [chatIcon(), h("span", { class: "launcher-text" }, s.launcher)],
      );
      this.titleEl = h("h2", { id: "title" }, config.title || s.title);
      this.closeButton = h("button", { type: "button", class: "close", "aria-label": s.close }, "×");
      this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": s.log, tabindex: "0" });
      this.typing = h("div", { class: "typing", role: "status", hidden: true }, [
        h("span", { class: "dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
        h("span", { class: "typing-text" }, s.typing),
      ]);
      this.inputLabel = h("label", { for: "input", class: "visually-hidden" }, s.inputLabel);
      this.input = h("textarea", { id: "input", rows: "2", maxlength: String(MAX_CHARS), placeholder: s.placeholder, autocomplete: "off" });
      this.sendButton = h("button", { type: "submit", class: "send" }, s.send);
      this.form = h("form", { class: "composer" }, [this.inputLabel, this.input, this.sendButton]);
      this.retentionDays = 0; // until the server says (GET /api/config)
      this.privacy = h("p", { class: "privacy", id: "privacy" }, s.privacy(this.retentionDays));
      this.input.setAttribute("aria-describedby", "privacy");
      this.panel = h("section", { id: "panel", class: "panel", role: "dialog", "aria-labelledby": "title", hidden: true }, [
        h("header", {}, [this.titleEl, this.closeButton]),
        this.log,
        this.typing,
        this.form,
        this.privacy,
      ]);
      this.loadConfig();
      this.root.append(this.launcher, this.panel);

      this.launcher.addEventListener("click", () => this.toggle(this.panel.hidden));
      this.closeButton.addEventListener("click", () => this.toggle(false));
      this.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          this.toggle(false);
        }
      });
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.send(this.input.value);
      });
      this.input.addEventListener("keydown", (event) => {
        // Enter sends, Shift+Enter is a new line; never while an IME is composing Japanese.
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
          event.preventDefault();
          this.send(this.input.value);
        }
      });
      this.welcome();
    }

    async loadConfig() {
      // How long conversations are kept is the server's setting (NAVIGATOR_RETENTION_DAYS).
      try {
        const response = await fetch(API_BASE + "/api/config", { mode: "cors", credentials: "omit" });
        const data = response.ok ? await response.json() : null;
        if (data && Number.isInteger(data.retention_days)) {
          this.retentionDays = data.retention_days;
          this.privacy.textContent = STRINGS[this.uiLang].privacy(this.retentionDays);
        }
      } catch (_) {
        // the note without the number of days is still true
      }
    }

    toggle(open) {
      this.panel.hidden = !open;
      this.launcher.setAttribute("aria-expanded", String(open));
      this.classList.toggle("open", open);
      this.launcher.classList.toggle("is-open", open);
      if (open) this.input.focus();
      else this.launcher.focus();
    }

    welcome() {
      const s = STRINGS[this.uiLang];
      const message = h("div", { class: "msg bot", lang: this.uiLang }, [
        h("p", { class: "who visually-hidden" }, s.bot),
        h("p", { class: "text" }, s.welcome),
        this.suggestionList(s.starters, this.uiLang),
      ]);
      this.log.appendChild(message);
    }

    setLanguage(lang) {
      if (lang !== "ja" && lang !== "en") return;
      this.uiLang = lang;
      this.setAttribute("lang", lang);
      const s = STRINGS[lang];
      if (!config.title) this.titleEl.textContent = s.title;
      this.launcher.setAttribute("aria-label", s.open);
      this.launcher.querySelector(".launcher-text").textContent = s.launcher;
      this.closeButton.setAttribute("aria-label", s.close);
      this.log.setAttribute("aria-label", s.log);
      this.typing.querySelector(".typing-text").textContent = s.typing;
      this.inputLabel.textContent = s.inputLabel;
      this.input.setAttribute("placeholder", s.placeholder);
      this.sendButton.textContent = s.send;
      this.privacy.textContent = s.privacy(this.retentionDays);
    }

    setBusy(busy) {
      this.busy = busy;
      this.typing.hidden = !busy;
      this.sendButton.disabled = busy;
      this.log.setAttribute("aria-busy", String(busy));
      if (busy) this.scrollToEnd();
    }

    scrollToEnd() {
      this.log.scrollTop = this.log.scrollHeight;
    }

    scrollToMessage(message) {
      const offset = message.getBoundingClientRect().top - this.log.getBoundingClientRect().top;
      this.log.scrollTop += offset - 8;
    }

    async post(path, body) {
      const response = await fetch(API_BASE + path, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      let data = null;
      try {
        data = await response.json();
      } catch (_) {
        data = null;
      }
      return { ok: response.ok, status: response.status, data, retryAfter: response.headers.get("Retry-After") };
    }

    async send(raw) {
      const text = String(raw || "").trim();
      if (this.busy || !text) {
        if (!text) this.showError({ data: { error: { code: "empty_message" } } });
        return;
      }
      this.input.value = "";
      const question = this.addUserMessage(text);
      this.setBusy(true);
      let answered = false;
      try {
        let result = await this.post("/api/chat", { message: text, session_id: storage.get() });
        if (result.status === 404 && result.data && result.data.error && result.data.error.code === "unknown_session") {
          storage.set(null); // the server no longer knows it: start over rather than fail
          result = await this.post("/api/chat", { message: text });
        }
        if (result.ok && result.data) {
          storage.set(result.data.session_id);
          this.addAnswer(result.data);
          answered = true;
        } else {
          this.showError(result);
        }
      } catch (_) {
        this.showError({ network: true });
      } finally {
        this.setBusy(false);
        // Show a long answer from its start (with the question above it), not its last line.
        if (answered) this.scrollToMessage(question);
        else this.scrollToEnd();
        if (!this.panel.hidden) this.input.focus({ preventScroll: true });
      }
    }

    addUserMessage(text) {
      const s = STRINGS[this.uiLang];
      const message = h("div", { class: "msg user" }, [h("p", { class: "who visually-hidden" }, s.you), h("p", { class: "text" }, text)]);
      this.log.appendChild(message);
      this.scrollToEnd();
      return message;
    }

    showError(result) {
      const e = STRINGS[this.uiLang].errors;
      const code = result.data && result.data.error ? result.data.error.code : null;
      let text;
      if (result.network) text = e.network;
      else if (code === "rate_limited") text = e.rate_limited(result.retryAfter || "60");
      else text = (code && typeof e[code] === "string" && e[code]) || e.other;
      this.log.appendChild(h("div", { class: "msg error", role: "alert" }, h("p", { class: "text" }, text)));
      this.scrollToEnd();
    }

    addAnswer(reply) {
      const lang = reply.language === "en" ? "en" : "ja";
      this.setLanguage(lang);
      const s = STRINGS[lang];
      const id = "m" + ++this.count;
      const citations = Array.isArray(reply.citations) ? reply.citations : [];
      const message = h("div", { class: "msg bot status-" + String(reply.status), lang, "data-turn": String(reply.turn_id) }, [
        h("p", { class: "who visually-hidden" }, s.bot),
      ]);
      message.appendChild(this.answerText(String(reply.answer || ""), citations, id, s));
      if (Array.isArray(reply.contacts) && reply.contacts.length) message.appendChild(this.contactCards(reply.contacts, lang, s));
      const details = Array.isArray(reply.details) ? reply.details : [];
      if (details.length || citations.length) message.appendChild(this.detailsPanel(details, citations, id, s));
      if (Array.isArray(reply.suggestions) && reply.suggestions.length) message.appendChild(this.suggestionList(reply.suggestions, lang));
      if (reply.status !== "clarify" && reply.turn_id) message.appendChild(this.feedbackBar(reply.turn_id, reply.session_id, s));
      this.log.appendChild(message);
    }

    /** The answer's text, with each [n] marker turned into a button that opens citation n. */
    answerText(answer, citations, id, s) {
      const known = new Set(citations.map((c) => Number(c.n)));
      const box = h("div", { class: "text" });
      const pattern = /\[(\d{1,2})\]/g;
      let last = 0;
      let match;
      while ((match = pattern.exec(answer)) !== null) {
        const n = Number(match[1]);
        if (!known.has(n)) continue;
        this.appendWithPhones(box, answer.slice(last, match.index));
        const ref = h("button", { type: "button", class: "ref", "aria-label": s.sourceOf(n), "aria-controls": id + "-c" + n }, "[" + n + "]");
        ref.addEventListener("click", () => this.openCitation(id + "-c" + n));
        box.appendChild(ref);
        last = match.index + match[0].length;
      }
      this.appendWithPhones(box, answer.slice(last));
      return box;
    }

    /** Text with the phone numbers in it as tel: links. */
    appendWithPhones(box, text) {
      const phone = /0\d{1,4}-\d{1,4}-\d{3,4}/g;
      let last = 0;
      let match;
      while ((match = phone.exec(text)) !== null) {
        box.appendChild(document.createTextNode(text.slice(last, match.index)));
        box.appendChild(h("a", { href: telHref(match[0]), class: "tel" }, match[0]));
        last = match.index + match[0].length;
      }
      box.appendChild(document.createTextNode(text.slice(last)));
    }

    /** 「詳しく」 / "More": a button (aria-expanded) that shows the reply's details (the other records,
     * notes, eligibility, desks; phones as tel: links) and the sources. */
    detailsPanel(details, citations, id, s) {
      const panelId = id + "-details";
      const panel = h("div", { id: panelId, class: "details", hidden: true });
      for (const item of details) {
        const text = this.answerText(String(item.text || ""), citations, id, s);
        text.className = "detail part-" + String(item.part || "");
        panel.appendChild(text);
      }
      if (citations.length) panel.appendChild(this.citationList(citations, id, s));
      const toggle = h("button", { type: "button", class: "more", "aria-expanded": "false", "aria-controls": panelId }, s.more);
      toggle.addEventListener("click", () => this.showDetails(toggle, panel, panel.hidden));
      return h("div", { class: "more-box" }, [toggle, panel]);
    }

    showDetails(toggle, panel, open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      const s = STRINGS[toggle.closest("[lang]").getAttribute("lang") === "en" ? "en" : "ja"];
      toggle.textContent = open ? s.less : s.more;
    }

    openCitation(elementId) {
      const details = this.root.getElementById(elementId);
      if (!details) return;
      const panel = details.closest(".details");
      if (panel && panel.hidden) {
        const toggle = panel.parentNode.querySelector("button.more");
        if (toggle) this.showDetails(toggle, panel, true);
      }
      details.open = true;
      details.querySelector("summary").focus();
    }

    citationList(citations, id, s) {
      const list = h("ol", { class: "citations", "aria-label": s.sources });
      for (const c of citations) {
        const facts = h("dl", {}, [
          c.measure ? [h("dt", {}, s.measure), h("dd", {}, String(c.measure))] : [],
          h("dt", {}, s.document),
          h("dd", {}, [String(c.source || ""), c.location ? " · " + String(c.location) : ""].join("")),
          h("dt", {}, s.recordId),
          h("dd", { class: "record-id" }, String(c.id)),
        ].flat());
        const details = h("details", { id: id + "-c" + c.n, class: "citation", "data-id": String(c.id) }, [
          h("summary", {}, [h("span", { class: "num" }, "[" + c.n + "]"), " ", String(c.title || c.id)]),
          facts,
          c.text ? h("blockquote", { class: "source-text" }, String(c.text)) : null,
        ]);
        list.appendChild(h("li", {}, details));
      }
      return list;
    }

    contactCards(contacts, lang, s) {
      const box = h("div", { class: "contacts", role: "group", "aria-label": s.contacts }, h("p", { class: "label" }, s.contacts));
      for (const c of contacts) {
        const name = lang === "en" && c.name_en ? c.name_en : c.name;
        const lines = [h("p", { class: "name" }, String(name || ""))];
        const actions = h("p", { class: "actions" });
        const tel = c.phone ? telHref(c.phone) : null;
        if (tel) actions.appendChild(h("a", { href: tel, class: "tel", "aria-label": s.call + " " + name + " " + c.phone }, "☎ " + String(c.phone)));
        else if (c.phone) actions.appendChild(h("span", {}, "☎ " + String(c.phone)));
        const web = c.url ? safeHttpUrl(c.url) : null;
        if (web) actions.appendChild(h("a", { href: web, class: "web", target: "_blank", rel: "noopener noreferrer" }, s.website));
        if (actions.childNodes.length) lines.push(actions);
        if (c.hours) lines.push(h("p", { class: "hours" }, s.hours + ": " + String(c.hours)));
        if (c.address) lines.push(h("p", { class: "address" }, s.address + ": " + String(c.address)));
        box.appendChild(h("div", { class: "contact", "data-id": String(c.id || "") }, lines));
      }
      return box;
    }

    suggestionList(suggestions, lang) {
      const s = STRINGS[lang];
      const list = h("div", { class: "suggestions", role: "group", "aria-label": s.suggestions });
      for (const text of suggestions.slice(0, 8)) {
        const button = h("button", { type: "button", class: "suggestion" }, String(text));
        button.addEventListener("click", () => this.send(String(text)));
        list.appendChild(button);
      }
      return list;
    }

    feedbackBar(turnId, sessionId, s) {
      const up = h("button", { type: "button", class: "up", "aria-label": s.up, "aria-pressed": "false" }, "👍");
      const down = h("button", { type: "button", class: "down", "aria-label": s.down, "aria-pressed": "false" }, "👎");
      const status = h("p", { class: "thanks", role: "status" });
      const commentId = "fb-" + turnId;
      const comment = h("textarea", { id: commentId, rows: "2", maxlength: String(MAX_CHARS) });
      const form = h("form", { class: "comment", hidden: true }, [
        h("label", { for: commentId }, s.commentLabel),
        comment,
        h("button", { type: "submit" }, s.commentSend),
      ]);
      const bar = h("div", { class: "feedback" }, [h("span", { class: "label" }, s.helpful), up, down, form, status]);
      const done = () => {
        up.disabled = true;
        down.disabled = true;
        form.hidden = true;
        status.textContent = s.thanks;
      };
      const submit = async (rating, text) => {
        try {
          const result = await this.post("/api/feedback", { turn_id: turnId, rating, comment: text || "", session_id: sessionId });
          if (result.ok) done();
          else this.showError(result);
        } catch (_) {
          this.showError({ network: true });
        }
      };
      up.addEventListener("click", () => {
        up.setAttribute("aria-pressed", "true");
        submit("up", "");
      });
      down.addEventListener("click", () => {
        down.setAttribute("aria-pressed", "true");
        form.hidden = false;
        comment.focus();
      });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        submit("down", comment.value.trim());
      });
      return bar;
    }
  }

  window.customElements.define(TAG, NavigatorWidget);

  function mount() {
    if (!document.querySelector(TAG)) document.body.appendChild(document.createElement(TAG));
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
