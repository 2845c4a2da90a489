// Autosave on the assessment and review pages. htmx sends each form (one choice
// of radio buttons, one text box, the version it was based on); this file shows
// what happened, retries what failed, resolves conflicts, and keeps a copy of
// unsaved text in this browser so a reload or a lost connection loses nothing.
(function () {
  "use strict";

  const page = document.querySelector("[data-assessment]");
  if (!page || !window.htmx) return;
  // Answers save themselves from here on: the rows' Save buttons (for browsers
  // without script) are hidden by the stylesheet.
  page.classList.add("autosaving");
  // The engineer's rows name their rating; the review's rows and summary name their own key.
  const storeKey = (form) => form.dataset.store || `ladder:rating:${form.dataset.rating}`;
  const retryTimers = new WeakMap();
  const attempts = new WeakMap();
  const announcer = document.getElementById("save-announcer");

  // One polite announcement per save outcome, naming the behaviour; the rows'
  // own states change several times per save and stay quiet.
  function announce(form, text) {
    if (!announcer) return;
    const row = form.closest("[id^=b-]") || form;
    const legend = row.querySelector(".behaviour-text");
    const words = legend ? legend.textContent.trim().split(/\s+/) : [];
    const name = words.slice(0, 6).join(" ") + (words.length > 6 ? "…" : "");
    announcer.textContent = name ? `${text}: ${name}` : text;
  }

  const answered = (form) => form.querySelector("input[type=radio]:checked") !== null;
  // The review's summary form holds the proposed outcome, not a behaviour's score.
  const summaryForm = document.getElementById("rating-summary");
  const unansweredForms = () =>
    Array.from(page.querySelectorAll(".rating-form")).filter((f) => f !== summaryForm && !answered(f));

  // A count of what is left that the page keeps true as answers are chosen (the review's;
  // the self-assessment's comes with its progress panel from the server).
  // The page may show only some rows (a filter), so it counts what changed since it
  // loaded against the server's count of all of them.
  // "At load" is what the server sent (a radio's defaultChecked), not what this script
  // finds when it runs: a quick hand may have chosen an answer before it did.
  const liveCount = document.querySelector("[data-live-count]");
  const countedAtLoad = liveCount ? Number(liveCount.querySelector("[data-count]").textContent) : 0;
  const answeredAsServed = (form) =>
    Array.from(form.querySelectorAll("input[type=radio]")).some((radio) => radio.defaultChecked);
  const openAtLoad = Array.from(page.querySelectorAll(".rating-form")).filter(
    (f) => f !== summaryForm && !answeredAsServed(f),
  ).length;
  const stillToScore = () => countedAtLoad - (openAtLoad - unansweredForms().length);
  // The review's filter counts keep up too: what is left to score, and the pairs that
  // differ (both scored on the scale: a self chip and a checked answer of 1 or more).
  const filterCount = (key) => document.querySelector(`[data-filter-count="${key}"]`);
  const differingAtLoad = filterCount("disagreements") ? Number(filterCount("disagreements").textContent) : 0;
  function differing(asServed = false) {
    return Array.from(page.querySelectorAll(".review-row")).filter((row) => {
      const chip = row.querySelector(".self-side .score-chip");
      const radios = Array.from(row.querySelectorAll(".manager-side input[type=radio]"));
      const mine = radios.find((radio) => (asServed ? radio.defaultChecked : radio.checked));
      const self = chip ? Number((chip.className.match(/score-(\d+)/) || [])[1]) : 0;
      const score = mine ? Number(mine.value) : 0;
      return self >= 1 && score >= 1 && self !== score;
    }).length;
  }
  const differingShownAtLoad = page.querySelector(".review-row") ? differing(true) : 0;
  function updateLiveCount() {
    if (filterCount("unreviewed") && liveCount) filterCount("unreviewed").textContent = stillToScore();
    if (filterCount("disagreements")) {
      filterCount("disagreements").textContent = differingAtLoad + differing() - differingShownAtLoad;
    }
    if (!liveCount) return;
    const left = stillToScore();
    liveCount.hidden = left === 0;
    liveCount.querySelector("[data-count]").textContent = left;
    liveCount.querySelector("[data-count-words]").textContent =
      left === 1 ? liveCount.dataset.one : liveCount.dataset.many;
  }
  page.addEventListener("change", (event) => {
    if (event.target.matches("input[type=radio]")) updateLiveCount();
  });

  function stateOf(form) {
    return document.getElementById(`state-${form.dataset.behaviour}`);
  }

  function show(form, text, kind) {
    const state = stateOf(form);
    if (!state) return;
    state.textContent = text;
    state.className = `save-state ${kind || ""}`.trim();
    form.dataset.state = kind || "";
  }

  function values(form) {
    const checked = form.querySelector("input[type=radio]:checked");
    return {
      score: checked ? checked.value : "",
      evidence: form.querySelector("textarea").value,
      version: form.querySelector("input[name=version]").value,
    };
  }

  function remember(form) {
    try {
      localStorage.setItem(storeKey(form), JSON.stringify({ ...values(form), at: Date.now() }));
    } catch (e) {
      /* storage full or disabled: the text is still in the page */
    }
  }

  function forget(form, sent) {
    const stored = localStorage.getItem(storeKey(form));
    if (!stored) return;
    const now = values(form);
    // Only forget the copy if nothing was typed after the request left.
    if (now.evidence === sent.evidence && now.score === sent.score) {
      localStorage.removeItem(storeKey(form));
    }
  }

  // Text typed while a save was on its way now sits on top of that save: its copy
  // must name the new version, or a reload would conflict with one's own save.
  function rebase(form, version) {
    const stored = localStorage.getItem(storeKey(form));
    if (!stored || !version) return;
    try {
      localStorage.setItem(storeKey(form), JSON.stringify({ ...JSON.parse(stored), version }));
    } catch (e) {
      localStorage.removeItem(storeKey(form));
    }
    if (form.dataset.state === "saved") form.dataset.state = "pending";
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function scheduleRetry(form, message) {
    const n = (attempts.get(form) || 0) + 1;
    attempts.set(form, n);
    const seconds = Math.min(60, 2 ** Math.min(n, 6));
    show(form, `${message} Retrying in ${seconds} s; your text stays here.`, "failed");
    clearTimeout(retryTimers.get(form));
    retryTimers.set(form, setTimeout(() => htmx.trigger(form, "save-now"), seconds * 1000));
  }

  // A token from the cookie, not the page: signing in again in another tab
  // rotates it, and retries must use the new one.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const token = csrfToken();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    // Django reads the form field before the header; the page's copy may be stale.
    delete event.detail.parameters.csrfmiddlewaretoken;
    // A save during a pause in typing: the server keeps the text and renders its
    // Markdown when the person leaves the row (the change event's save).
    const cause = event.detail.triggeringEvent;
    if (cause && cause.type === "input" && event.target.closest(".rating-form")) {
      event.detail.parameters.typing = "1";
    }
  });

  page.addEventListener("input", (event) => {
    const form = event.target.closest(".rating-form");
    if (!form) return;
    remember(form);
    if (form.dataset.state !== "conflict") show(form, "Not saved yet…", "pending");
  });

  page.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.target.closest(".rating-form");
    if (!form) return;
    // While a conflict is open, nothing is sent until the person chooses.
    if (form.dataset.state === "conflict" && !form.dataset.resolving) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = JSON.stringify(values(form));
    show(form, "Saving…", "saving");
  });

  page.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target.closest(".rating-form");
    if (!form) return;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    delete form.dataset.resolving;
    if (status === 200) {
      attempts.delete(form);
      form.dataset.state = "saved";
      forget(form, JSON.parse(form.dataset.sent || "{}"));
      rebase(form, event.detail.xhr.getResponseHeader("X-Rating-Version"));
      announce(form, "Saved");
    } else if (status === 409) {
      form.dataset.state = "conflict";
      announce(form, "Not saved, changed in another tab; choose which version to keep");
    } else if (status === 400) {
      form.dataset.state = "failed";
      announce(form, stateOf(form) ? stateOf(form).textContent : "Not saved");
    } else if (status === 401 || (status === 403 && event.detail.xhr.getResponseHeader("X-Ladder-Retry"))) {
      scheduleRetry(form, "Not saved: you are signed out. Sign in again in another tab.");
      announce(form, "Not saved: you are signed out");
      const state = stateOf(form);
      if (state && !state.querySelector("a")) {
        const link = document.createElement("a");
        link.href = "/accounts/login/";
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = " Sign in";
        state.append(link);
      }
    } else if (status === 403) {
      show(form, `Not saved: ${event.detail.xhr.responseText || "not allowed."}`, "failed");
      announce(form, "Not saved");
    } else {
      const why = status ? `Not saved (server error ${status}).` : "Not saved: no connection.";
      scheduleRetry(form, why);
      // Retries repeat every few seconds; say so once, not on every attempt.
      if (attempts.get(form) === 1) announce(form, `${why} Retrying`);
    }
  });

  // The progress panel refreshes itself once answers stop changing (its hx-trigger).
  // Nothing else asks again, so a refresh that fails (a 503 while the database
  // restarts, a dropped connection) would leave the last answers uncounted for good:
  // it is asked again, backing off like the saves, until one gets through.
  const panel = document.querySelector(".progress-panel[hx-get]");
  let panelAttempts = 0;
  let panelRetry = null;

  function retryPanel(event) {
    if (event.target !== panel) return;
    // Only what may pass: a server error or no answer. A refusal (the page is no longer
    // this person's to see) stays as it is.
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status && status < 500) return;
    panelAttempts += 1;
    clearTimeout(panelRetry);
    const seconds = Math.min(60, 2 ** Math.min(panelAttempts, 6));
    panelRetry = setTimeout(() => htmx.trigger(panel, "refresh-progress"), seconds * 1000);
  }

  if (panel) {
    panel.addEventListener("htmx:responseError", retryPanel);
    panel.addEventListener("htmx:sendError", retryPanel);
    panel.addEventListener("htmx:afterRequest", (event) => {
      if (event.target !== panel || !event.detail.successful) return;
      panelAttempts = 0;
      clearTimeout(panelRetry);
    });
  }

  page.addEventListener("click", (event) => {
    const keep = event.target.closest("[data-keep-mine]");
    const theirs = event.target.closest("[data-use-theirs]");
    if (!keep && !theirs) return;
    event.preventDefault();
    const box = event.target.closest(".conflict");
    const behaviour = box.closest("[id^=b-]").id.slice(2);
    const form = document.getElementById(`rating-${behaviour}`);
    if (keep) {
      // The person has now seen the other version and chose theirs over it.
      form.querySelector("input[name=version]").value = keep.value;
      form.dataset.resolving = "1";
      box.remove();
      htmx.trigger(form, "save-now");
    } else {
      form.querySelector("input[name=version]").value = theirs.dataset.version;
      form.querySelector("textarea").value = box.querySelector(".their-evidence").dataset.evidence;
      form.querySelectorAll("input[type=radio]").forEach((radio) => {
        radio.checked = radio.value === theirs.dataset.score;
      });
      localStorage.removeItem(storeKey(form));
      box.remove();
      show(form, "Using the saved version", "saved");
    }
  });

  // Text typed but not saved before a reload or a crash comes back, and is saved
  // against the version it was based on, so a newer save elsewhere still conflicts.
  // It waits for htmx to have set up the forms, or the save would go nowhere.
  htmx.onLoad((element) => {
    if (element === document.body) restoreUnsaved();
  });

  function restoreUnsaved() {
    document.querySelectorAll(".rating-form").forEach((form) => {
      if (!restoreForm(form) && changedBeforeScript(form)) {
        show(form, "Saving…", "pending");
        htmx.trigger(form, "save-now");
      }
    });
    updateLiveCount();
  }

  // An answer chosen or typed before this script and htmx had set the page up sent
  // nothing: it differs from what the server sent, and is saved now.
  function changedBeforeScript(form) {
    const text = form.querySelector("textarea");
    if (text && text.value !== text.defaultValue) return true;
    return Array.from(form.querySelectorAll("input[type=radio]")).some((radio) => radio.checked !== radio.defaultChecked);
  }

  // True when a copy kept in this browser was put back and is being saved.
  function restoreForm(form) {
    const stored = localStorage.getItem(storeKey(form));
    if (!stored) return false;
    let copy;
    try {
      copy = JSON.parse(stored);
    } catch (e) {
      localStorage.removeItem(storeKey(form));
      return false;
    }
    const now = values(form);
    if (copy.evidence === now.evidence && copy.score === now.score) {
      localStorage.removeItem(storeKey(form));
      return false;
    }
    form.querySelector("textarea").value = copy.evidence;
    form.querySelectorAll("input[type=radio]").forEach((radio) => {
      radio.checked = radio.value === copy.score;
    });
    form.querySelector("input[name=version]").value = copy.version;
    show(form, "Restored unsaved text from this browser; saving…", "pending");
    htmx.trigger(form, "save-now");
    return true;
  }

  // "Next unanswered" steps through the behaviours still without an answer: the
  // first one below the row being worked on (or below the top of the screen), then
  // round again from the top; Submit when none is left.
  function goToNextUnanswered(link) {
    const open = unansweredForms();
    if (!open.length) {
      document.getElementById("submit").scrollIntoView({ block: "center" });
      const button = document.querySelector("#submit-form button[type=submit]");
      if (button) button.focus({ preventScroll: true });
      return;
    }
    const current = document.activeElement && document.activeElement.closest(".rating");
    const below = current ? current.getBoundingClientRect().bottom : 1;
    const next = open.find((f) => f.closest(".rating").getBoundingClientRect().top >= below) || open[0];
    const row = next.closest(".rating");
    row.scrollIntoView({ block: "center" });
    next.querySelector("input[type=radio]").focus({ preventScroll: true });
    if (link) link.setAttribute("href", `#${row.id}`);
  }

  page.addEventListener("click", (event) => {
    const link = event.target.closest("[data-next-unanswered]");
    if (!link) return;
    event.preventDefault();
    goToNextUnanswered(link);
  });

  // Submitting waits for the last answers to be saved, and refuses to go while a
  // row could not be saved, so nothing typed just before is left behind. With
  // behaviours still unanswered it says so beside the button, without a round trip.
  const submitForm = document.getElementById("submit-form");
  let submitting = false;
  const outstanding = (states) =>
    Array.from(page.querySelectorAll(".rating-form")).filter((f) => states.includes(f.dataset.state));

  // The note above the button already says how many are left and links to the
  // first; a refused submit says what happened and points there.
  function refuseUnanswered(status, left, noOutcome) {
    if (!summaryForm) {
      status.textContent = "Not submitted: every behaviour needs an answer first.";
    } else {
      const parts = [];
      if (left) parts.push(`${left} behaviour${left === 1 ? " still needs" : "s still need"} your score.`);
      if (noOutcome) parts.push("Choose a proposed outcome.");
      status.textContent = `Not finished: ${parts.join(" ")}`;
    }
    status.className = "save-state failed";
    if (!left && noOutcome) {
      summaryForm.querySelector("input[type=radio]").focus();
      return;
    }
    const note = document.querySelector("#submit-remaining .remaining");
    if (note) {
      note.classList.add("failed");
      note.querySelector("a").focus();
    }
  }

  if (submitForm) {
    submitForm.addEventListener("submit", async (event) => {
      const status = document.getElementById("submit-status");
      const left = liveCount ? stillToScore() : unansweredForms().length;
      const noOutcome = summaryForm !== null && !answered(summaryForm);
      if (left || noOutcome) {
        event.preventDefault();
        refuseUnanswered(status, left, noOutcome);
        return;
      }
      if (!outstanding(["pending", "saving", "failed", "conflict"]).length) return;
      event.preventDefault();
      status.textContent = "Saving your last answers first…";
      status.className = "save-state saving";
      outstanding(["pending", "failed"]).forEach((f) => htmx.trigger(f, "save-now"));
      for (let waited = 0; waited < 15000 && outstanding(["pending", "saving"]).length; waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const stuck = outstanding(["pending", "saving", "failed", "conflict"]);
      if (stuck.length) {
        status.textContent = `${stuck.length} answer${stuck.length > 1 ? "s are" : " is"} not saved yet; see the first one above, then submit again.`;
        status.className = "save-state failed";
        stuck[0].closest(".rating").scrollIntoView({ block: "center" });
        return;
      }
      submitting = true;
      submitForm.submit();
    });
    submitForm.addEventListener("submit", (event) => {
      if (!event.defaultPrevented) submitting = true;
    });
  }

  window.addEventListener("beforeunload", (event) => {
    if (submitting) return;
    const unsaved = document.querySelector(
      ".rating-form[data-state=pending], .rating-form[data-state=saving], .rating-form[data-state=failed], .rating-form[data-state=conflict]",
    );
    if (unsaved) event.preventDefault();
  });
})();
