// The staff console's behaviour: plain JavaScript, no build step, no innerHTML (the pages run
// under Trusted Types). Every state change is a fetch to the JSON API carrying the CSRF token.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const lang = document.body.dataset.lang || "ja";
  const statusBox = document.getElementById("status");
  const say = (text, isError) => {
    if (!statusBox) return;
    statusBox.textContent = text;
    statusBox.classList.toggle("error", Boolean(isError));
  };
  const sayDone = () => say(lang === "en" ? "Done." : "完了しました。");
  const sayFailed = (error) => say((lang === "en" ? "Failed: " : "できませんでした: ") + error.message, true);

  async function api(method, url, body, isForm) {
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      if (isForm) init.body = body;
      else {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
    }
    const response = await fetch(url, init);
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    if (!response.ok) {
      const message = data && data.error ? data.error.message : response.status + " " + response.statusText;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };

  // Buttons that call the API: data-method, data-url, optional data-body (JSON), data-confirm-text.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    event.preventDefault();
    if (button.dataset.confirmText && !window.confirm(button.dataset.confirmText)) return;
    button.disabled = true;
    try {
      const body = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
      await api(button.dataset.method || "POST", button.dataset.url, body);
      sayDone();
      window.location.reload();
    } catch (error) {
      sayFailed(error);
      button.disabled = false;
    }
  });

  // Sign-out.
  document.querySelectorAll("[data-logout]").forEach((button) => {
    button.addEventListener("click", async () => {
      try { await api("POST", "/admin/logout"); } catch (_) { /* the cookie may have expired already */ }
      window.location.assign("/admin/login");
    });
  });

  // Forms sent as JSON (accounts, passwords).
  document.querySelectorAll("form[data-json-form]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = Object.fromEntries(new FormData(form).entries());
      try {
        await api(form.dataset.method || "POST", form.dataset.url, body);
        sayDone();
        window.location.reload();
      } catch (error) {
        sayFailed(error);
      }
    });
  });

  // An answer as the widget would show it: the text, then its citations.
  function showAnswer(box, reply) {
    box.replaceChildren();
    box.append(el("p", reply.answer || "", "answer-text"));
    const cited = reply.citations || [];
    if (cited.length) {
      const list = el("ul", null, "citations");
      cited.forEach((c) => list.append(el("li", (c.id || "") + " " + (c.title || ""))));
      box.append(list);
    }
  }

  // Documents: drag and drop (or choose) several files; each gets its own check result.
  const zone = document.querySelector("[data-dropzone]");
  if (zone) {
    const input = document.getElementById("files");
    const results = document.getElementById("upload-results");
    const upload = async (files) => {
      let uploaded = 0;
      for (const file of files) {
        const item = el("li", file.name + " …");
        results.append(item);
        const form = new FormData();
        form.append("file", file, file.name);
        try {
          const data = await api("POST", "/admin/documents", form, true);
          const counts = Object.entries(data.records || {}).map(([k, v]) => k + " " + v).join(", ");
          item.textContent = "✓ " + file.name + (data.replaced ? (lang === "en" ? " (replaced)" : "（差し替え）") : "") + " — " + counts;
          item.className = "ok";
          uploaded += 1;
        } catch (error) {
          item.textContent = "✗ " + file.name + " — " + error.message;
          item.className = "error-text";
        }
      }
      if (uploaded) say(lang === "en" ? uploaded + " file(s) stored: build a candidate to publish them." : uploaded + "件を保存しました。公開するには候補の版を作ってください。");
    };
    input.addEventListener("change", () => upload(Array.from(input.files || [])));
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      upload(Array.from(event.dataTransfer.files || []));
    });
  }

  // Publishing: build a candidate with live progress, read its change report, try questions, switch.
  const publishButton = document.querySelector("[data-publish]");
  if (publishButton) {
    const progressBox = document.getElementById("publish-progress");
    const bar = document.getElementById("progress-bar");
    const progressText = document.getElementById("progress-text");
    const result = document.getElementById("publish-result");
    const summary = document.getElementById("publish-summary");
    const table = document.getElementById("change-table");
    const errors = document.getElementById("publish-errors");
    const tryForm = document.getElementById("try-form");
    const tryAnswer = document.getElementById("try-answer");
    const switchButton = document.getElementById("switch-button");
    let candidate = null;

    const finished = (job) => {
      progressBox.hidden = true;
      result.hidden = false;
      const report = job.report || {};
      errors.replaceChildren();
      (report.errors || []).forEach((e) => errors.append(el("li", (e.file || "") + ": " + (e.error || ""), "error-text")));
      if (job.status !== "succeeded") {
        summary.textContent = (lang === "en" ? "This version was refused: " : "この版は公開できません: ") + (job.error || job.status);
        summary.className = "error-text";
        return;
      }
      if (report.nothing_changed) {
        summary.textContent = lang === "en" ? "Nothing changed: the live version stays." : "変更はありません。公開中の版のままです。";
        return;
      }
      candidate = report.version;
      summary.textContent = (lang === "en" ? "Candidate version " : "候補の版 ") + candidate +
        (lang === "en" ? ": added " : "：追加 ") + report.added + (lang === "en" ? ", updated " : "、更新 ") + report.updated +
        (lang === "en" ? ", deleted " : "、削除 ") + report.deleted;
      const body = table.querySelector("tbody");
      body.replaceChildren();
      (report.changes_by_document || []).forEach((c) => {
        const row = el("tr");
        row.append(el("th", c.document), el("td", c.added), el("td", c.updated), el("td", c.deleted), el("td", (c.fields || []).join(", ")));
        row.firstChild.scope = "row";
        body.append(row);
      });
      table.hidden = !(report.changes_by_document || []).length;
      tryForm.hidden = false;
      if (!switchButton) return; // staff build and try candidates; administrators make them live
      switchButton.hidden = false;
      switchButton.textContent = (lang === "en" ? "Switch to version " : "版 ") + candidate + (lang === "en" ? "" : " を公開する");
    };

    const follow = async (href) => {
      for (;;) {
        const job = await api("GET", href);
        const p = job.progress || {};
        bar.max = Math.max(1, p.to_embed || 1);
        bar.value = p.embedded || 0;
        progressText.textContent = (p.embedded || 0) + " / " + (p.to_embed || 0);
        if (job.status !== "running") return finished(job);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };

    publishButton.addEventListener("click", async () => {
      publishButton.disabled = true;
      result.hidden = true;
      progressBox.hidden = false;
      bar.value = 0;
      progressText.textContent = lang === "en" ? "starting…" : "開始しています…";
      try {
        const job = await api("POST", "/admin/reingest?candidate=true");
        await follow(job.href);
      } catch (error) {
        progressBox.hidden = true;
        sayFailed(error);
      } finally {
        publishButton.disabled = false;
      }
    });

    tryForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = document.getElementById("try-question").value;
      try {
        showAnswer(tryAnswer, await api("POST", "/admin/versions/" + candidate + "/ask", { message }));
      } catch (error) {
        tryAnswer.replaceChildren(el("p", error.message, "error-text"));
      }
    });

    switchButton?.addEventListener("click", async () => {
      const question = (switchButton.dataset.confirmText || "").replace("{n}", candidate);
      if (question && !window.confirm(question)) return;
      try {
        await api("POST", "/admin/versions/" + candidate + "/switch");
        say((lang === "en" ? "Version " : "版 ") + candidate + (lang === "en" ? " is live." : " を公開しました。"));
        switchButton.hidden = true;
        tryForm.hidden = true;
      } catch (error) {
        sayFailed(error);
      }
    });
  }

  // Unanswered questions: teach one to a record, then re-ask it and show the new answer.
  document.querySelectorAll("form[data-teach]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const question = form.dataset.question;
      const recordId = form.querySelector("input[name=record_id]").value.trim();
      const box = form.parentElement.querySelector(".answer");
      try {
        await api("POST", "/admin/taught", { question, record_id: recordId });
        const live = await api("GET", "/admin/versions");
        const reply = await api("POST", "/admin/versions/" + live.live + "/ask", { message: question });
        box.replaceChildren(el("p", lang === "en" ? "New answer:" : "新しい回答：", "meta"));
        const inner = el("div");
        showAnswer(inner, reply);
        box.append(inner);
        say(lang === "en" ? "Taught." : "教えました。");
      } catch (error) {
        box.replaceChildren(el("p", error.message, "error-text"));
      }
    });
  });
})();
