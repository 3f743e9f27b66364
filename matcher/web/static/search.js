// Suggestions as you type in the city search box, following the WAI-ARIA combobox pattern.
// Progressive enhancement: without this script the form still submits to the results page.
// The JSON endpoint comes from the form's data-suggest-url, so no address is hard-coded here.
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MIN_CHARS = 2;
  var LIMIT = 8;

  var form = document.querySelector("form[data-suggest-url]");
  if (!form || !window.fetch) {
    return;
  }
  var input = form.querySelector("input[type=search]");
  var list = document.getElementById(input.id + "-suggestions");
  var status = document.getElementById(input.id + "-status");
  var endpoint = form.getAttribute("data-suggest-url");
  var timer = null;
  var pending = null;
  var active = -1;
  var hits = [];

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
    hits = [];
  }

  function describe(city) {
    var parts = [city.country_name];
    if (city.population) {
      parts.push(city.population.toLocaleString("en") + " inhabitants");
    }
    return parts.join(", ");
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    active = index;
    for (var i = 0; i < options.length; i += 1) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function go(index) {
    window.location.assign(hits[index].city.html_url);
  }

  function render(query, items) {
    close();
    hits = items;
    items.forEach(function (hit, index) {
      var option = document.createElement("li");
      option.id = input.id + "-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.textContent = hit.city.name;
      var detail = document.createElement("small");
      detail.textContent = describe(hit.city);
      option.appendChild(name);
      option.appendChild(detail);
      // mousedown, not click: it fires before the input's blur would close the list.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        go(index);
      });
      list.appendChild(option);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    status.textContent = items.length
      ? items.length + " suggestions for " + query + ". Use the arrow keys to choose."
      : "No suggestions for " + query + ".";
  }

  function suggest() {
    var query = input.value.trim();
    if (query.length < MIN_CHARS) {
      close();
      status.textContent = "";
      return;
    }
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var separator = endpoint.indexOf("?") === -1 ? "?" : "&";
    var url = endpoint + separator + "limit=" + LIMIT + "&q=" + encodeURIComponent(query);
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { items: [] };
      })
      .then(function (body) {
        if (input.value.trim() === query) {
          render(query, body.items || []);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          close();
        }
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, DELAY_MS);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) {
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % hits.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? hits.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      go(active);
    } else if (event.key === "Escape") {
      close();
    }
  });

  input.addEventListener("blur", close);
})();
