// Trading tab, Briefings page: schedule a symbol's levels (of the modes ticked), ribbon, phase
// oscillator and golden-gate odds to be posted each NYSE session at a time (ET); pause/resume
// or delete one.
"use strict";

(() => {
  const MODES = {
    scalp: "4-hour", day: "Day", multiday: "Weekly", swing: "Monthly", position: "Quarterly",
    longterm: "Yearly",
  };
  const form = document.getElementById("briefing-form");
  const list = document.getElementById("briefing-list");
  const listError = document.getElementById("briefing-error");

  async function load() {
    const body = await work.call("/api/briefings", {}, listError);
    if (!body) return;
    const briefings = body.briefings || [];
    if (!briefings.length) return work.empty(list, "No briefings: schedule one with the form.");
    list.replaceChildren(...briefings.map((b) => work.item(b.id, b.paused, [
      el("span", { class: "symbol" }, b.symbol),
      el("span", {}, `every session at ${b.at} ET`),
    ], [
      `${b.modes.map((m) => MODES[m] || m).join(", ")} levels`,
      `\u2192 ${b.destination}`,
      b.id,
    ], [
      work.pauseButton(b.paused, (pause) => change(b.id, "PATCH", { action: pause ? "pause" : "resume" })),
      work.deleteButton(`briefing ${b.id}`, () => change(b.id, "DELETE")),
    ])));
  }

  function change(id, method, body) {
    return work.change({ list, error: listError, path: "/api/briefings", reload: load }, id, method, body);
  }

  work.submit(form, async (values) => {
    const error = $("briefing-form-error");
    if (!values.modes) {
      error.textContent = "Tick at least one set of levels (Day, Weekly, …).";
      return;
    }
    const made = await work.send("/api/briefings", "POST", values, error);
    if (!made) return;
    toast(made.message);
    await load();
  });

  work.pages.briefings = {
    load,
    reset() {
      list.replaceChildren();
      for (const id of ["briefing-form-error", "briefing-error"]) $(id).textContent = "";
    },
  };
})();
