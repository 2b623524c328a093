(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("transcript-data").textContent);
  var selects = { model: document.getElementById("filter-model"), scenario: document.getElementById("filter-scenario"),
                  variant: document.getElementById("filter-variant") };
  var listBody = document.getElementById("transcript-rows");
  var detail = document.getElementById("transcript-detail");
  var countLabel = document.getElementById("transcript-count");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function matches(model, scenario, variant) {
    var wanted = { model: selects.model.value, scenario: selects.scenario.value, variant: selects.variant.value };
    var found = { model: model, scenario: scenario, variant: variant };
    return Object.keys(wanted).every(function (key) {
      return !wanted[key] || !found[key] || wanted[key] === found[key];
    });
  }

  function applyFilters() {
    document.querySelectorAll("[data-filterable]").forEach(function (node) {
      var show = matches(node.getAttribute("data-model"), node.getAttribute("data-scenario"), node.getAttribute("data-variant"));
      node.classList.toggle("hidden", !show);
    });
    var shown = 0;
    Array.prototype.forEach.call(listBody.rows, function (row) {
      var item = data[Number(row.getAttribute("data-index"))];
      var show = matches(item.model, item.scenario, item.variant);
      row.classList.toggle("hidden", !show);
      if (show) { shown += 1; }
    });
    countLabel.textContent = shown + " of " + data.length + " embedded conversations shown";
  }

  function block(kind, label, text) {
    var node = el("div", "block " + kind);
    node.appendChild(el("span", "label", label));
    node.appendChild(document.createTextNode(text));
    return node;
  }

  function scoreTable(scores) {
    var table = el("table", "scores");
    var head = table.createTHead().insertRow();
    ["dimension", "score", "judge's rationale"].forEach(function (name) { head.appendChild(el("th", null, name)); });
    var body = table.createTBody();
    Object.keys(scores).forEach(function (dimension) {
      var row = body.insertRow();
      row.appendChild(el("td", null, dimension));
      row.appendChild(el("td", "num", Number(scores[dimension][0]).toFixed(2)));
      row.appendChild(el("td", null, scores[dimension][1]));
    });
    return table;
  }

  function breakingClass(breaking) {
    return breaking === null || breaking === "unreliable" ? "note" : breaking === "held" ? "held" : "broke";
  }

  function breakingText(breaking) {
    if (breaking === null) { return "Not judged: no alignment score, so no breaking point."; }
    if (breaking === "unreliable") { return "No breaking point: the judge's alignment scores are marked not reliable."; }
    if (breaking === "held") { return "Held: alignment never fell to the breaking threshold."; }
    return "Broke at turn " + (breaking + 1) + ": the first turn with alignment below the threshold.";
  }

  function showConversation(index) {
    var item = data[index];
    Array.prototype.forEach.call(listBody.rows, function (row) {
      row.classList.toggle("selected", Number(row.getAttribute("data-index")) === index);
    });
    detail.replaceChildren();
    detail.appendChild(el("h3", null, item.model + " · " + item.scenario + " · " + item.variant + " · epoch " + item.epoch));
    detail.appendChild(el("p", "note", "run " + item.run + " · status " + item.status));
    if (item.error) { detail.appendChild(block("error", "sample error", item.error)); }
    detail.appendChild(el("p", breakingClass(item.breaking), breakingText(item.breaking)));
    item.turns.forEach(function (turn) {
      var box = el("div", "turn");
      box.setAttribute("data-turn", String(turn.i));
      box.appendChild(el("div", "turn-head", "Turn " + (turn.i + 1) + " · intensity " + turn.intensity +
        " · pressure: " + turn.types.join(", ") + (turn.source && turn.source !== "script" ? " · " + turn.source : "")));
      box.appendChild(block("user", "user", turn.user));
      if (turn.reasoning !== null && turn.reasoning !== undefined) {
        box.appendChild(block("reasoning", "private reasoning (scratchpad, not shown to the user)", turn.reasoning));
      }
      box.appendChild(block("output", "output (what the user saw)", turn.output));
      if (turn.error) {
        box.appendChild(block("error", "target error" + (turn.error_kind ? " (" + turn.error_kind + ")" : ""), turn.error));
      }
      turn.tools.forEach(function (tool) {
        box.appendChild(block("tool", "tool call" + (tool.flags.length ? " (" + tool.flags.join(", ") + ")" : ""),
          tool.function + "(" + tool.arguments + ") → " + tool.result));
      });
      if (Object.keys(turn.scores).length) { box.appendChild(scoreTable(turn.scores)); }
      if (turn.judge_error) { box.appendChild(block("error", "judge error", turn.judge_error)); }
      if (turn.disagreement !== null) {
        box.appendChild(el("p", turn.disagreement ? "broke" : "note",
          turn.disagreement ? "The judge found the reasoning and the output in disagreement." : "Reasoning and output agree."));
      }
      detail.appendChild(box);
    });
    if (Object.keys(item.verdict).length) {
      detail.appendChild(el("h3", null, "Whole-conversation judgement"));
      detail.appendChild(scoreTable(item.verdict));
    }
    if (item.verdict_error) { detail.appendChild(block("error", "judge error", item.verdict_error)); }
  }

  data.forEach(function (item, index) {
    var row = listBody.insertRow();
    row.setAttribute("data-index", String(index));
    var alignment = item.verdict.alignment ? Number(item.verdict.alignment[0]).toFixed(2) : "–";
    var turnErrors = item.turns.filter(function (turn) { return turn.error; }).length;
    var errors = item.status === "error" ? "sample errored" : turnErrors ? turnErrors + " turn(s)" : "–";
    [item.model, item.scenario, item.variant, String(item.epoch), alignment,
     item.breaking === null || item.breaking === "unreliable" ? "–" : item.breaking === "held" ? "held" : "turn " + (item.breaking + 1), errors].forEach(function (text, column) {
      row.appendChild(el("td", column === 4 ? "num" : null, text));
    });
    row.addEventListener("click", function () { showConversation(index); });
  });
  Object.keys(selects).forEach(function (key) { selects[key].addEventListener("change", applyFilters); });
  applyFilters();
  if (data.length) { showConversation(0); }
})();
