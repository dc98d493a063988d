// Unit picker: the district list follows the county, and the unit list follows what is
// typed and chosen. Without JavaScript the 查詢單位 button posts the form, which comes
// back with the same lists narrowed by the server.
(function () {
  "use strict";

  function fill(select, items, placeholder) {
    select.replaceChildren(new Option(placeholder, ""));
    items.forEach(function (item) { select.add(new Option(item.label, item.value)); });
  }

  function count(template, number) {
    return template.split("{count}").join(String(number));
  }

  function getJson(url, params) {
    return fetch(url + "?" + new URLSearchParams(params), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  function setUp(box) {
    if (box.dataset.unitPickerReady) { return; }
    box.dataset.unitPickerReady = "1";
    var query = box.querySelector("[data-unit-query]");
    var county = box.querySelector("[data-unit-county]");
    var district = box.querySelector("[data-unit-district]");
    var unit = box.querySelector("[data-unit-select]");
    var status = box.querySelector("[data-unit-status]");
    var pick = box.querySelector("[data-unit-pick]");
    var unitPlaceholder = unit.options[0].text;
    var latest = 0;
    var timer = null;

    // The lists now follow each change; the button comes back if a look-up fails. (The
    // style sheet gives buttons a display, which would win over the hidden attribute.)
    pick.style.display = "none";

    function failed() {
      status.textContent = box.dataset.failed;
      pick.style.display = "";
    }

    function showUnits(units, more) {
      var chosen = unit.value;
      var typed = query.value.trim().toUpperCase();
      fill(unit, units.map(function (found) {
        return { label: found.code + "-" + found.name, value: found.code };
      }), unitPlaceholder);
      var codes = units.map(function (found) { return found.code; });
      if (codes.length === 1 && codes[0] === typed) {
        unit.value = typed;
      } else {
        unit.value = codes.indexOf(chosen) >= 0 ? chosen : "";
      }
      if (more) {
        status.textContent = count(box.dataset.more, units.length);
      } else if (units.length === 0) {
        status.textContent = box.dataset.none;
      } else {
        status.textContent = count(box.dataset.found, units.length);
      }
    }

    function search() {
      clearTimeout(timer);
      var ticket = ++latest;
      var q = query.value.trim();
      if (!q && !county.value && !district.value) {
        fill(unit, [], unitPlaceholder);
        status.textContent = "";
        return;
      }
      getJson(box.dataset.searchUrl, { q: q, county: county.value, district: district.value })
        .then(function (data) {
          if (ticket === latest) { showUnits(data.units, data.more); }
        })
        .catch(failed);
    }

    county.addEventListener("change", function () {
      fill(district, [], county.value ? district.dataset.labelAll : district.dataset.labelNone);
      search();
      if (!county.value) { return; }
      var chosenCounty = county.value;
      getJson(box.dataset.districtsUrl, { county: chosenCounty })
        .then(function (data) {
          if (county.value !== chosenCounty) { return; }
          fill(district, data.districts.map(function (name) {
            return { label: name, value: name };
          }), district.dataset.labelAll);
        })
        .catch(failed);
    });

    district.addEventListener("change", search);

    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });

    // Enter in the search field looks units up instead of sending the whole form.
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        search();
      }
    });
  }

  document.querySelectorAll("[data-unit-picker]").forEach(setUp);
})();
