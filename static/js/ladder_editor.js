// The in-place editor of a draft level (templates/jinja2/ladder/edit_level.html).
// htmx sends each row's form (its boxes and the version it was read at); this file
// saves as the person types, shows what happened, retries what failed, resolves
// conflicts, keeps a copy of unsaved text in this browser so a reload or a lost
// connection loses nothing, and moves items by keyboard and by drag and drop.
(function () {
  "use strict";

  const page = document.querySelector("[data-editor]");
  if (!page || !window.htmx) return;
  // Rows save themselves from here on: their Save buttons (for pages without
  // script) are hidden by the stylesheet.
  page.classList.add("autosaving");

  const SAVE_DELAY = 700;
  const timers = new WeakMap();
  const retryTimers = new WeakMap();
  const attempts = new WeakMap();
  const announcer = document.getElementById("edit-announcer");

  const isEditForm = (form) => Boolean(form && form.classList && form.classList.contains("edit-form"));
  const editForms = () => Array.from(document.querySelectorAll("form.edit-form"));
  const announce = (text) => {
    if (announcer) announcer.textContent = text;
  };

  // ---- boxes that grow with their text (CSS field-sizing where the browser has it)

  const sizesItself = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function grow(box) {
    if (sizesItself || box.tagName !== "TEXTAREA") return;
    box.style.height = "auto";
    box.style.height = `${box.scrollHeight + 2}px`;
  }
  const growAll = (root) => root.querySelectorAll("textarea.grow").forEach(grow);

  // ---- a row's values, its state, and the copy kept in this browser

  // A row's boxes: the form's own and those joined to it with the form attribute.
  function boxes(form) {
    return Array.from(form.elements).filter(
      (el) => el.name && el.name !== "version" && (el.tagName === "TEXTAREA" || el.type === "text"),
    );
  }

  function values(form) {
    const found = { version: form.elements.version.value };
    boxes(form).forEach((box) => {
      found[box.name] = box.value;
    });
    return found;
  }

  // The same words in every box (the version and the time of a copy aside).
  const sameText = (a, b) => Object.keys(a).every((k) => k === "version" || k === "at" || a[k] === b[k]);

  function stateOf(form) {
    return document.getElementById(`state-${form.id}`);
  }

  function show(form, text, kind) {
    form.dataset.state = kind || "";
    const state = stateOf(form);
    if (!state) return;
    state.textContent = text;
    state.className = `save-state ${kind || ""}`.trim();
  }

  function remember(form) {
    try {
      localStorage.setItem(form.dataset.store, JSON.stringify({ ...values(form), at: Date.now() }));
    } catch (e) {
      /* storage full or disabled: the text is still in the page */
    }
  }

  function forget(form, sent) {
    try {
      if (!localStorage.getItem(form.dataset.store)) return;
      // Only forget the copy if nothing was typed after the request left.
      if (!sent || sameText(values(form), sent)) localStorage.removeItem(form.dataset.store);
    } catch (e) {
      /* storage disabled */
    }
  }

  // Text typed while a save was on its way now sits on top of that save: its copy
  // must name the new version, or a reload would conflict with one's own save.
  function rebase(form, version) {
    try {
      const stored = localStorage.getItem(form.dataset.store);
      if (!stored || !version) return;
      localStorage.setItem(form.dataset.store, JSON.stringify({ ...JSON.parse(stored), version }));
    } catch (e) {
      localStorage.removeItem(form.dataset.store);
    }
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // A token from the cookie, not the page: signing in again in another tab rotates
  // it, and retries must use the new one.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const token = csrfToken();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    delete event.detail.parameters.csrfmiddlewaretoken;
  });

  // ---- saving as the person types

  function saveSoon(form, delay) {
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(() => saveNow(form), delay));
  }

  function saveNow(form) {
    clearTimeout(timers.get(form));
    if (!document.body.contains(form)) return;
    if (form.dataset.state === "conflict" && !form.dataset.resolving) return;
    htmx.trigger(form, "save-now");
  }

  function scheduleRetry(form, message) {
    const n = (attempts.get(form) || 0) + 1;
    attempts.set(form, n);
    const seconds = Math.min(60, 2 ** Math.min(n, 6));
    show(form, `Not saved — retrying in ${seconds} s. ${message} Your text stays here.`, "failed");
    clearTimeout(retryTimers.get(form));
    retryTimers.set(form, setTimeout(() => saveNow(form), seconds * 1000));
    return n;
  }

  page.addEventListener("input", (event) => {
    const box = event.target;
    if (box.tagName === "TEXTAREA") grow(box);
    const form = box.form;
    if (!isEditForm(form)) return;
    remember(form);
    if (form.dataset.state !== "conflict") show(form, "Not saved yet…", "pending");
    saveSoon(form, SAVE_DELAY);
  });

  // Leaving a box saves it at once rather than after the pause.
  page.addEventListener("focusout", (event) => {
    const form = event.target.form;
    if (isEditForm(form) && form.dataset.state === "pending") saveNow(form);
  });

  // A behaviour is one line on the level page: Enter saves rather than breaking it.
  page.addEventListener("keydown", (event) => {
    const box = event.target;
    if (event.key !== "Enter" || box.tagName !== "TEXTAREA") return;
    if (["text", "name", "title", "summary"].includes(box.name)) {
      event.preventDefault();
      if (isEditForm(box.form)) saveNow(box.form);
      else if (box.form) box.form.requestSubmit();
    }
  });

  page.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (!isEditForm(form)) return;
    // While a conflict is open, nothing is sent until the person chooses.
    if (form.dataset.state === "conflict" && !form.dataset.resolving) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = JSON.stringify(values(form));
    show(form, "Saving…", "saving");
  });

  page.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!isEditForm(form)) return;
    const xhr = event.detail.xhr;
    const status = xhr ? xhr.status : 0;
    const name = form.dataset.label || "this row";
    delete form.dataset.resolving;
    if (status === 200) {
      attempts.delete(form);
      const sent = JSON.parse(form.dataset.sent || "{}");
      forget(form, sent);
      rebase(form, xhr.getResponseHeader("X-Edit-Version"));
      if (!sameText(values(form), sent)) {
        // More was typed while this save was on its way; it goes next.
        show(form, "Not saved yet…", "pending");
        saveSoon(form, SAVE_DELAY);
      } else {
        form.dataset.state = "saved";
        announce(`Saved: ${name}`);
      }
    } else if (status === 409) {
      form.dataset.state = "conflict";
      announce(`Not saved: someone else changed ${name}. Choose which version to keep.`);
    } else if (status === 400) {
      form.dataset.state = "failed";
      const state = stateOf(form);
      announce(state ? state.textContent : "Not saved");
    } else if (status === 401 || (status === 403 && xhr.getResponseHeader("X-Ladder-Retry"))) {
      scheduleRetry(form, "You are signed out: sign in again in another tab.");
      announce("Not saved: you are signed out");
    } else if (status === 403 || status === 404) {
      const why = status === 404 ? "it was deleted elsewhere; reload the page." : xhr.responseText || "not allowed.";
      show(form, `Not saved: ${why}`, "failed");
      announce("Not saved");
    } else {
      const why = status ? `The server answered ${status}.` : "No connection.";
      // Retries repeat every few seconds; say so once, not on every attempt.
      if (scheduleRetry(form, why) === 1) announce(`Not saved — retrying: ${name}`);
    }
  });

  // ---- conflicts: keep mine, or take theirs

  page.addEventListener("click", (event) => {
    const keep = event.target.closest("[data-keep-mine]");
    const theirs = event.target.closest("[data-take-theirs]");
    if (!keep && !theirs) return;
    event.preventDefault();
    const box = event.target.closest(".conflict");
    const form = document.getElementById(box.parentElement.id.replace(/^conflict-/, ""));
    const button = keep || theirs;
    form.elements.version.value = button.dataset.version;
    if (keep) {
      // The person has now seen the other version and chose theirs over it.
      form.dataset.resolving = "1";
      box.remove();
      form.dataset.state = "pending";
      saveNow(form);
    } else {
      box.querySelectorAll(".their-field").forEach((field) => {
        const target = form.elements[field.dataset.field];
        if (target) {
          target.value = field.dataset.value;
          grow(target);
        }
      });
      try {
        localStorage.removeItem(form.dataset.store);
      } catch (e) {
        /* storage disabled */
      }
      box.remove();
      show(form, "Using their version", "saved");
      const first = boxes(form)[0];
      if (first) first.focus();
    }
  });

  // ---- text kept in this browser comes back after a reload, saved against the
  // version it was based on, so a newer save elsewhere still conflicts

  function restore(form) {
    let copy;
    try {
      const stored = localStorage.getItem(form.dataset.store);
      if (!stored) return;
      copy = JSON.parse(stored);
    } catch (e) {
      return;
    }
    if (sameText(values(form), copy)) {
      localStorage.removeItem(form.dataset.store);
      return;
    }
    boxes(form).forEach((box) => {
      if (typeof copy[box.name] === "string") {
        box.value = copy[box.name];
        grow(box);
      }
    });
    form.elements.version.value = copy.version;
    show(form, "Restored unsaved text from this browser; saving…", "pending");
    saveNow(form);
  }

  // After htmx has set up the forms, or the save would go nowhere.
  htmx.onLoad((element) => {
    if (element === document.body) {
      growAll(page);
      editForms().forEach(restore);
      return;
    }
    if (!(element instanceof Element)) return;
    growAll(element);
    if (element.classList.contains("deleted-notice")) {
      const words = element.querySelector(".deleted-text");
      if (words) words.focus();
    } else if (element.matches(".edit-item") && element.dataset.restored !== undefined) {
      const box = element.querySelector("textarea");
      if (box) box.focus();
    }
  });

  // ---- adding, and adding back

  page.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (form.classList && form.classList.contains("add-form")) {
      const state = form.querySelector(".save-state");
      if (state) {
        state.textContent = "Adding…";
        state.className = "save-state saving";
      }
    }
  });

  page.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.elt;
    if (!form.classList) return;
    const status = event.detail.xhr.status;
    // A deleted row's copy of unsaved text goes with it.
    if (form.classList.contains("delete-form") && status === 200) {
      form.closest("li").querySelectorAll("form.edit-form").forEach((f) => {
        try {
          localStorage.removeItem(f.dataset.store);
        } catch (e) {
          /* storage disabled */
        }
      });
    }
    // A refused delete (deleted elsewhere meanwhile, or the draft was published) says why.
    if (form.classList.contains("delete-form") && status !== 200) {
      const why =
        status === 400
          ? event.detail.xhr.responseText.trim()
          : status === 404
            ? "it was deleted elsewhere; reload the page."
            : `the server answered ${status || "nothing"}.`;
      announce(`Not deleted: ${why}`);
    }
    // What is put back takes the focus, as the note it replaces had it.
    if (form.classList.contains("restore-form") && status === 200) {
      event.detail.serverResponse = event.detail.serverResponse.replace(
        /<li class="edit-item /,
        '<li data-restored class="edit-item ',
      );
    }
  });

  page.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!form.classList || !form.classList.contains("add-form")) return;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    const state = form.querySelector(".save-state");
    if (status === 200) {
      const box = form.querySelector("textarea, input[type=text]");
      box.value = "";
      grow(box);
      box.focus();
      if (state) {
        state.textContent = "Added.";
        state.className = "save-state saved";
      }
    } else if (status !== 400 && state) {
      // An add is not retried by itself: a lost answer could add it twice.
      state.textContent = status
        ? `Not added: the server answered ${status}. Your text is still here; try again.`
        : "Not added: no connection. Your text is still here; try again.";
      state.className = "save-state failed";
      announce(state.textContent);
    } else if (state) {
      state.classList.add("failed");
      announce(`Not added: ${state.textContent}`);
    }
  });

  // ---- moving: "Move up" / "Move down" and drag and drop

  const itemsOf = (list) => Array.from(list.children).filter((el) => el.matches("[data-id]"));

  // Put an item where the server's order says, among the items of its list (notes
  // left by deleted items stay where they are).
  function place(item, order) {
    const list = item.parentElement;
    const index = order.indexOf(item.dataset.id);
    if (index < 0) return;
    const before = index === 0 ? null : list.querySelector(`:scope > [data-id="${order[index - 1]}"]`);
    if (before) {
      before.after(item);
    } else {
      const first = itemsOf(list)[0];
      if (first !== item) list.insertBefore(item, first);
    }
  }

  async function move(item, fields) {
    const body = new URLSearchParams(fields);
    let response;
    try {
      response = await fetch(item.dataset.moveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        body,
        credentials: "same-origin",
      });
    } catch (e) {
      announce("Not moved: no connection. Try again.");
      return false;
    }
    if (response.status !== 204) {
      const why =
        response.status === 400
          ? await response.text()
          : response.status === 404
            ? "it was deleted elsewhere; reload the page."
            : `the server answered ${response.status}`;
      announce(`Not moved: ${why.trim()}`);
      return false;
    }
    const order = (response.headers.get("X-Order") || "").split(",");
    place(item, order);
    const position = order.indexOf(item.dataset.id) + 1;
    announce(`Moved to position ${position} of ${order.length}.`);
    return true;
  }

  page.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-move]");
    if (!button) return;
    event.preventDefault();
    const item = button.closest("[data-id]");
    const items = itemsOf(item.parentElement);
    const index = items.indexOf(item);
    const direction = button.dataset.move;
    if ((direction === "up" && index === 0) || (direction === "down" && index === items.length - 1)) {
      announce(direction === "up" ? "Already first." : "Already last.");
      return;
    }
    await move(item, { direction });
    // The item (and the button) moved in the page: keep the keyboard on it.
    button.focus();
  });

  let dragged = null;
  let dropTarget = null;
  let dropAfter = false;

  function clearDrop() {
    page.querySelectorAll(".drop-before, .drop-after").forEach((el) => el.classList.remove("drop-before", "drop-after"));
  }

  page.addEventListener("dragstart", (event) => {
    const handle = event.target.closest && event.target.closest(".drag-handle");
    if (!handle) return;
    dragged = handle.closest("[data-id]");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.id);
    event.dataTransfer.setDragImage(dragged, 16, 16);
    dragged.classList.add("dragging");
  });

  // The item under the pointer that shares the dragged item's list: a behaviour moves
  // within its group, a responsibility (with its behaviours) within its pillar.
  function targetOf(node) {
    let item = node.closest ? node.closest("[data-id]") : null;
    while (item && item.parentElement !== dragged.parentElement) {
      item = item.parentElement.closest("[data-id]");
    }
    return item;
  }

  page.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const item = targetOf(event.target);
    if (!item) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const box = item.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    if (item === dropTarget && after === dropAfter) return;
    clearDrop();
    dropTarget = item;
    dropAfter = after;
    if (item !== dragged) item.classList.add(after ? "drop-after" : "drop-before");
  });

  page.addEventListener("drop", async (event) => {
    if (!dragged || !dropTarget) return;
    event.preventDefault();
    const item = dragged;
    const others = itemsOf(item.parentElement).filter((el) => el !== item);
    const at = others.indexOf(dropTarget);
    const position = dropTarget === item ? itemsOf(item.parentElement).indexOf(item) : at + (dropAfter ? 1 : 0);
    clearDrop();
    if (dropTarget !== item) await move(item, { position: String(position) });
  });

  page.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    clearDrop();
    dragged = null;
    dropTarget = null;
  });

  // ---- "Show keys"

  page.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-toggle-keys]");
    if (!toggle) return;
    event.preventDefault();
    const shown = page.classList.toggle("keys-shown");
    page.classList.toggle("keys-hidden", !shown);
    toggle.setAttribute("aria-pressed", shown ? "true" : "false");
    const url = new URL(window.location.href);
    if (shown) url.searchParams.set("keys", "1");
    else url.searchParams.delete("keys");
    history.replaceState(null, "", url);
  });

  // ---- leaving with unsaved text asks first

  window.addEventListener("beforeunload", (event) => {
    const unsaved = editForms().some((form) => ["pending", "saving", "failed", "conflict"].includes(form.dataset.state));
    if (unsaved) event.preventDefault();
  });
})();
