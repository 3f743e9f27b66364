// The partner map: the searched city and its top partners as markers on a Leaflet map.
// Progressive enhancement: the places are always listed in the page (#map-places); this script
// only runs when the page has a map container, which it has only when the operator configured
// a tile server (MAP_TILES_URL). Coordinates come from the list's data- attributes.
(function () {
  "use strict";

  var container = document.getElementById("partner-map");
  var list = document.getElementById("map-places");
  if (!container || !list || !window.L) {
    return;
  }

  var places = [];
  var items = list.querySelectorAll("li[data-lat][data-lon]");
  for (var i = 0; i < items.length; i += 1) {
    var lat = parseFloat(items[i].getAttribute("data-lat"));
    var lon = parseFloat(items[i].getAttribute("data-lon"));
    if (isFinite(lat) && isFinite(lon)) {
      places.push({
        lat: lat,
        lon: lon,
        name: items[i].getAttribute("data-name"),
        rank: items[i].getAttribute("data-rank"),
        home: items[i].getAttribute("data-role") === "home",
      });
    }
  }
  if (!places.length) {
    container.hidden = true;
    return;
  }

  var map = L.map(container, { scrollWheelZoom: false });
  L.tileLayer(container.getAttribute("data-tiles-url"), {
    maxZoom: 18,
    attribution: container.getAttribute("data-attribution") || "",
  }).addTo(map);

  var bounds = [];
  places.forEach(function (place) {
    var label = place.home ? place.name + " (searched)" : place.rank + ". " + place.name;
    var marker = L.marker([place.lat, place.lon], {
      title: label,
      alt: label,
      keyboard: true,
      zIndexOffset: place.home ? 1000 : 0,
    });
    marker.bindTooltip(label, { permanent: place.home, direction: "top", offset: [-15, -12] });
    marker.addTo(map);
    bounds.push([place.lat, place.lon]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 9);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 10 });
  }
  container.classList.add("map-ready");
})();
