// The trace player: steps through the forward ops in execution order, then the backward pass in
// the order the engine ran it. Each step highlights its node in the SVG, reveals the nodes that
// exist by then, and shows tensors (shape, summary, heat map) and the gradients so far.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("trace-data").textContent);
  const steps = data.steps;
  // the page's words, in its language (viz.language): "step {index} / {count}" and the like
  const words = data.text || {};
  const say = (key, values = {}) => (words[key] || key).replace(/\{(\w+)\}/g,
                                                                (m, name) => values[name]);
  const svg = document.querySelector("#graph svg");
  const noDot = document.querySelector(".no-dot pre");
  if (noDot) { noDot.textContent = data.dot; }

  // Every node id some step reveals; the others (never reached by a step) stay visible.
  const revealedAt = {};
  steps.forEach((step, i) => step.reveal.forEach((id) => {
    if (!(id in revealedAt)) { revealedAt[id] = i; }
  }));

  const byId = (id) => document.getElementById(id);
  let index = 0;
  let timer = null;

  function text(id, value) { byId(id).textContent = value || ""; }

  function heatCanvas(grid) {
    const rows = grid.length, cols = grid[0].length;
    const cell = Math.max(4, Math.min(18, Math.floor(220 / Math.max(rows, cols))));
    const canvas = document.createElement("canvas");
    canvas.className = "heat";
    canvas.width = cols * cell;
    canvas.height = rows * cell;
    let scale = 0;
    grid.forEach((row) => row.forEach((v) => { if (v !== null) { scale = Math.max(scale, Math.abs(v)); } }));
    const context = canvas.getContext("2d");
    grid.forEach((row, r) => row.forEach((v, c) => {
      context.fillStyle = colour(v, scale);
      context.fillRect(c * cell, r * cell, cell, cell);
    }));
    canvas.title = say("heat");
    return canvas;
  }

  function colour(value, scale) {
    if (value === null) { return "#999"; }
    const t = scale > 0 ? value / scale : 0;
    const fade = Math.round(255 * (1 - Math.abs(t)));
    return t >= 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},${fade},255)`;
  }

  // An attention op's weights: one map per head, white (0) to dark blue (the largest weight).
  function attentionBox(attention) {
    const box = document.createElement("div");
    box.className = "attention";
    const note = document.createElement("div");
    note.className = "tensor-summary";
    note.textContent = say("attention", { shown: attention.heads.length,
                                          heads: attention.all_heads });
    box.append(note);
    let top = 0;
    attention.heads.forEach((grid) => grid.forEach((row) => row.forEach((v) => {
      top = Math.max(top, v);
    })));
    attention.heads.forEach((grid, k) => {
      const figure = document.createElement("figure");
      const caption = document.createElement("figcaption");
      caption.textContent = say("head", { k });
      const rows = grid.length, cols = grid[0].length;
      const cell = Math.max(3, Math.min(14, Math.floor(160 / Math.max(rows, cols))));
      const canvas = document.createElement("canvas");
      canvas.className = "heat attention-head";
      canvas.width = cols * cell;
      canvas.height = rows * cell;
      const context = canvas.getContext("2d");
      grid.forEach((row, r) => row.forEach((v, c) => {
        const t = top > 0 ? Math.min(1, v / top) : 0;
        const mix = (end) => Math.round(255 + (end - 255) * t);
        context.fillStyle = `rgb(${mix(8)},${mix(48)},${mix(107)})`;
        context.fillRect(c * cell, r * cell, cell, cell);
      }));
      figure.append(caption, canvas);
      box.append(figure);
    });
    return box;
  }

  function tensorBox(tensor) {
    const box = document.createElement("div");
    box.className = "tensor";
    const head = document.createElement("div");
    const label = document.createElement("span");
    label.className = "tensor-label";
    label.textContent = tensor.label + (tensor.name ? ": " + tensor.name : "");
    const shape = document.createElement("span");
    shape.className = "tensor-shape";
    shape.textContent = `${tensor.shape} ${tensor.dtype} (${tensor.bytes})`;
    head.append(label, shape);
    const summary = document.createElement("div");
    summary.className = "tensor-summary";
    summary.textContent = tensor.summary;
    box.append(head, summary);
    if (tensor.heat) { box.append(heatCanvas(tensor.heat)); }
    return box;
  }

  function gradientsSoFar(upTo) {
    const grads = new Map();
    for (let i = 0; i <= upTo; i++) {
      steps[i].grads.forEach((g) => grads.set(g.node || g.name, { ...g, fresh: i === upTo }));
    }
    return grads;
  }

  function showGrads() {
    const body = document.querySelector("#grads tbody");
    body.replaceChildren();
    gradientsSoFar(index).forEach((g, key) => {
      const row = document.createElement("tr");
      row.dataset.node = key;
      if (g.fresh) { row.className = "fresh"; }
      [g.name, g.shape, g.summary].forEach((value, k) => {
        const cell = document.createElement("td");
        cell.textContent = value;
        if (k === 2) { cell.className = "grad-summary"; }
        row.append(cell);
      });
      body.append(row);
    });
  }

  function edgeEnds(edge) {
    const title = edge.querySelector("title");
    return title ? title.textContent.split("->") : [];
  }

  // The SVG was drawn after backward, so tensor boxes carry their final "grad: ..." line: each is
  // hidden until the step that computes that gradient (the first step listing it in its grads).
  const gradAt = {};
  steps.forEach((step, i) => step.grads.forEach((g) => {
    if (g.node && !(g.node in gradAt)) { gradAt[g.node] = i; }
  }));
  const same = (a, b) => a.replace(/\s+/g, " ").trim() === b.replace(/\s+/g, " ").trim();
  const gradTexts = [];
  Object.entries(data.grad_lines || {}).forEach(([id, line]) => {
    const node = svg && byId(id);
    if (!node) { return; }
    node.querySelectorAll("text").forEach((t) => {
      if (same(t.textContent, line)) { gradTexts.push([t, id in gradAt ? gradAt[id] : Infinity]); }
    });
  });

  function showGraph(step, scroll) {
    if (!svg) { return; }
    gradTexts.forEach(([t, at]) => { t.style.visibility = at <= index ? "" : "hidden"; });
    const visible = (id) => !(id in revealedAt) || revealedAt[id] <= index;
    svg.querySelectorAll("g.node").forEach((node) => {
      node.classList.toggle("future", !visible(node.id));
      node.classList.toggle("current", node.id === step.target);
      node.classList.toggle("related", step.highlight.includes(node.id));
    });
    svg.querySelectorAll("g.edge").forEach((edge) => {
      edge.classList.toggle("future", !edgeEnds(edge).every(visible));
    });
    if (scroll) { revealInPane(step.target && byId(step.target)); }
  }

  // Bring the current node into view by scrolling the graph pane only. Element.scrollIntoView
  // would also scroll every scrollable ancestor, the page that embeds this player included (a
  // srcdoc iframe is same-origin), so the pane's own scroll offsets are set instead: vertically
  // the node is centred when it is out of view, horizontally the pane moves only as far as needed.
  function revealInPane(node) {
    const pane = byId("graph");
    if (!node || !pane || !node.getBoundingClientRect) { return; }
    const box = node.getBoundingClientRect(), view = pane.getBoundingClientRect();
    if (box.top < view.top || box.bottom > view.bottom) {
      pane.scrollTop += (box.top + box.bottom) / 2 - (view.top + view.bottom) / 2;
    }
    if (box.left < view.left) {
      pane.scrollLeft -= view.left - box.left + 8;
    } else if (box.right > view.right) {
      pane.scrollLeft += Math.min(box.right - view.right + 8, box.left - view.left - 8);
    }
  }

  function show(scroll) {
    const step = steps[index];
    text("counter", say("step", { index: index + 1, count: steps.length }));
    const phase = byId("phase");
    phase.textContent = step.phase_label || step.phase;
    phase.className = step.phase.startsWith("backward") ? "backward" : "forward";
    text("step-title", step.title);
    text("module", step.module ? say("module", { name: step.module }) : "");
    text("formula", step.formula || "—");
    text("derivative", step.derivative || "—");
    const details = byId("details");
    details.replaceChildren(...step.details.filter((d) => d).map((d) => {
      const item = document.createElement("li");
      item.textContent = d;
      return item;
    }));
    const boxes = step.tensors.map(tensorBox);
    if (step.attention) { boxes.push(attentionBox(step.attention)); }
    byId("tensors").replaceChildren(...boxes);
    showGrads();
    showGraph(step, scroll);
  }

  // scroll=false only for the first picture on load: opening a page never moves anything.
  function go(target, scroll = true) {
    index = Math.max(0, Math.min(steps.length - 1, target));
    show(scroll);
    return index;
  }

  function play() {
    if (timer !== null) { pause(); return; }
    const speed = parseFloat(byId("speed").value);
    byId("play").textContent = say("pause");
    timer = setInterval(() => {
      if (index >= steps.length - 1) { pause(); return; }
      go(index + 1);
    }, 1000 / speed);
  }

  function pause() {
    if (timer !== null) { clearInterval(timer); }
    timer = null;
    byId("play").textContent = say("play");
  }

  byId("first").onclick = () => go(0);
  byId("prev").onclick = () => go(index - 1);
  byId("next").onclick = () => go(index + 1);
  byId("last").onclick = () => go(steps.length - 1);
  byId("play").onclick = play;
  byId("speed").oninput = () => {
    text("speed-value", byId("speed").value);
    if (timer !== null) { pause(); play(); }
  };
  document.addEventListener("keydown", (event) => {
    const actions = { ArrowRight: () => go(index + 1), ArrowLeft: () => go(index - 1),
                      Home: () => go(0), End: () => go(steps.length - 1), " ": play };
    if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
  });

  window.tracePlayer = { go, steps, get index() { return index; }, play, pause };
  if (steps.length) { go(0, false); } else { text("counter", say("no_steps")); }
})();
