// Front end of oda_widgets.widgets.sky_aladin.SkyAladin: ipyaladin's own front end, with Aladin
// Lite bundled in (no CDN), plus what the sky view needs on top of it.
//
// Built into one file by scripts/build_front_ends.py: "ipyaladin-front-end" is ipyaladin's
// installed static/widget.js (".css": its widget.css), and both its CDN import of Aladin Lite and
// ours below resolve to the npm package's dist/aladin.js, so the two share one Aladin Lite module.
//
// The image shown is the model's state, drawn as soon as the view renders (no round trip to the
// kernel first): `_image` {name, ra, dec, width_deg, height_deg, psf_deg, serial}, `_image_fits`
// (the image as a FITS file, a binary buffer) and `_looks` {colormap, stretch, min_cut, max_cut}.
// Messages from the kernel that carry an `oda` key are ours (ipyaladin's carry `event_name`):
//   {oda: "frame", ra, dec, width_deg, height_deg}   (a view with no mosaic: the sources' extent)
//   {oda: "sources", serial, ring_deg, sources: [{id, name, ra, dec, shape, color, selected}]}
// Back to the kernel: {event_type: "oda_ready"}, {event_type: "oda_source_clicked", id},
// {event_type: "oda_image_drawn", name, ms, at (epoch ms)}; the trait `drawn` (names Aladin Lite holds now) and
// `start_error` (why Aladin Lite could not start, in words).
//
// One Aladin Lite catalog object per view is created once and updated in place (removeAll, then
// addSources, then a redraw asked for at once: Aladin Lite would otherwise repaint only on the
// next pointer event). Aladin Lite writes some source fields into popups with innerHTML, so every
// string we hand it is HTML-escaped, labels are drawn by us on its canvas, and the popup shown
// on click is ours, filled with textContent.
//
// Sources are rings drawn each frame at the view's scale: `ring_deg` on the sky (wider than the
// PSF) but never under MIN_RING pixels, so the source itself shows inside its ring at any zoom.
//
// The wheel zooms the sky only after a click on it (until the pointer leaves): a page scrolled
// with the wheel passes over the sky without zooming it; a short note says how to zoom.
import ipyaladin from "ipyaladin-front-end";
import IPYALADIN_CSS from "ipyaladin-front-end.css";
import A from "aladin-lite";
import { addStyle, el } from "./dom.js";
import SKY_CSS from "./sky.css";

const MARKER = 22; // the clickable size of a source, CSS pixels
const MIN_RING = 9; // smallest ring radius, CSS pixels
const MAX_RING = 60; // largest ring radius, CSS pixels
const MIN_PSF_PIXELS = 3.5; // the default view shows a point source at least this wide
const LABEL_FONT = "12px sans-serif";
const SELECTED_COLOR = "#F0E442"; // Okabe-Ito yellow: the selection frame

let startFailure = null;

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

function failureText(error) {
  const detail = String((error && error.message) || error || "unknown error");
  const webgl = /webgl/i.test(detail);
  return "The sky view could not start: " + (webgl
    ? "Aladin Lite needs WebGL2, which this browser does not offer"
    : "Aladin Lite failed to load") + ` (${detail}). The image and the catalog are still ` +
    "available in Python (products.image, products.catalog).";
}

function showFailure(model, host, error) {
  const text = failureText(error);
  const box = el("div", "oda-sky-failure", text);
  box.setAttribute("role", "alert");
  host.replaceChildren(box);
  try {
    model.set("start_error", text);
    model.save_changes();
  } catch (_err) {
    // the words on screen are what matters; the kernel may be gone
  }
}

// ipyaladin's front end subscribes to every custom message and throws on names it does not know
// (ours); it only ever sees its own. Its clean-up `off("msg:custom")` removes only its handlers.
function modelForIpyaladin(model) {
  const mine = [];
  return new Proxy(model, {
    get(target, prop) {
      if (prop === "on") {
        return (name, callback, context) => {
          if (name !== "msg:custom") return target.on(name, callback, context);
          const filtered = (msg, buffers) => {
            if (msg && msg.event_name !== undefined) callback.call(context, msg, buffers);
          };
          mine.push(filtered);
          return target.on(name, filtered, context);
        };
      }
      if (prop === "off") {
        return (name, callback, context) => {
          if (name === "msg:custom" && callback === undefined) {
            for (const filtered of mine.splice(0)) target.off(name, filtered, context);
            return undefined;
          }
          return target.off(name, callback, context);
        };
      }
      const value = target[prop];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

// ipyaladin creates its Aladin Lite instance inside render and keeps it to itself: catch it as it
// is made (A.aladin is the factory ipyaladin calls, through the same module object).
function renderIpyaladin(model, host) {
  const factory = A.aladin;
  let made = null;
  A.aladin = function (...args) {
    made = factory.apply(this, args);
    // The view starts with no base layer (the mosaic becomes it; a survey would need the
    // network), and Aladin Lite's getViewWCS needs one: until the mosaic is there, no WCS.
    const viewWcs = made.getViewWCS.bind(made);
    made.getViewWCS = () => (made.getBaseImageLayer() ? viewWcs() : {});
    return made;
  };
  let cleanup;
  try {
    cleanup = ipyaladin.render({ model: modelForIpyaladin(model), el: host });
  } finally {
    A.aladin = factory;
  }
  return { aladin: made, cleanup };
}

function drawShape(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === "diamond") {
    ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y);
    ctx.closePath();
  } else if (shape === "triangle") {
    ctx.moveTo(x, y - r); ctx.lineTo(x + r * 0.95, y + r * 0.75);
    ctx.lineTo(x - r * 0.95, y + r * 0.75); ctx.closePath();
  } else if (shape === "square") {
    ctx.rect(x - r, y - r, 2 * r, 2 * r);
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

// One source on Aladin Lite's catalog canvas: a ring of `r` pixels in the source's colour over a
// dark halo (it reads on any colour map), a yellow frame when selected, the name to its right.
function drawMarker(ctx, look, x, y, r) {
  ctx.save();
  drawShape(ctx, look.shape, x, y, r);
  ctx.lineWidth = 4; ctx.strokeStyle = "rgba(0, 0, 0, 0.85)"; ctx.stroke();
  ctx.lineWidth = 2; ctx.strokeStyle = look.color; ctx.stroke();
  let right = r;
  if (look.selected) {
    drawShape(ctx, "square", x, y, r + 5);
    ctx.lineWidth = 5; ctx.strokeStyle = "#000000"; ctx.stroke();
    ctx.lineWidth = 3; ctx.strokeStyle = SELECTED_COLOR; ctx.stroke();
    right = r + 6;
  }
  ctx.font = LABEL_FONT;
  ctx.textBaseline = "middle";
  ctx.lineWidth = 3;
  ctx.strokeStyle = "#000000";
  ctx.strokeText(look.name, x + right + 5, y);
  ctx.fillStyle = look.selected ? SELECTED_COLOR : "#FFFFFF";
  ctx.fillText(look.name, x + right + 5, y); // canvas text: never parsed as HTML
  ctx.restore();
}

function ringPixels(ringDeg, view) {
  const perPixel = view && view.width > 0 ? view.fov[0] / view.width : 0;
  const r = perPixel > 0 ? ringDeg / perPixel : MIN_RING;
  return Math.max(MIN_RING, Math.min(MAX_RING, r));
}

class SkyFrontEnd {
  constructor(model, host, aladin) {
    this.model = model;
    this.host = host;
    this.aladin = aladin;
    this.catalog = null;
    this.rawNames = new Map(); // meta_ID -> name as the kernel sent it
    this.looks = new Map(); // meta_ID -> {name, shape, color, selected}
    this.ringDeg = 0.3;
    this.popup = null;
    this.image = null;
    this.imageShown = null; // name of the image drawn last (for page scripts and tests)
    this.onMessage = (msg, buffers) => this.handle(msg, buffers);
    model.on("msg:custom", this.onMessage);
    this.onImage = () => this.showImage();
    this.onLooks = () => this.applyCuts(this.image, model.get("_looks"));
    model.on("change:_image", this.onImage);
    model.on("change:_looks", this.onLooks);
    aladin.on("objectClicked", (object) => this.clicked(object));
    // page scripts (and the browser tests) reach the Aladin Lite instance from the element
    host.odaAladin = aladin;
    host.odaSky = this;
    this.gateWheel();
  }

  // the wheel zooms only a sky that was clicked; otherwise it scrolls the page as elsewhere
  gateWheel() {
    const host = this.host;
    this.wheelActive = false;
    const hint = el("div", "oda-sky-wheel-hint", "Click the sky to zoom it with the wheel");
    hint.setAttribute("role", "status");
    hint.hidden = true;
    host.appendChild(hint);
    let timer = null;
    this.onWheel = (event) => {
      if (this.wheelActive || event.ctrlKey) return;
      event.stopImmediatePropagation(); // Aladin Lite never sees it: the page scrolls
      hint.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(() => { hint.hidden = true; }, 1500);
    };
    this.onDown = () => { this.wheelActive = true; hint.hidden = true; };
    this.onLeave = () => { this.wheelActive = false; };
    host.addEventListener("wheel", this.onWheel, { capture: true });
    host.addEventListener("pointerdown", this.onDown, { capture: true });
    host.addEventListener("pointerleave", this.onLeave);
  }

  handle(msg) {
    if (!msg || msg.oda === undefined) return;
    if (msg.oda === "sources") this.showSources(msg);
    else if (msg.oda === "frame") this.frame(msg);
  }

  ensureCatalog() {
    if (this.catalog === null) {
      // a shape function of three arguments draws on the canvas, each frame, at the view's scale
      const draw = (source, ctx, view) => {
        const look = this.looks.get(source.data.meta_ID);
        if (look) drawMarker(ctx, look, source.x, source.y, ringPixels(this.ringDeg, view));
      };
      this.catalog = A.catalog({
        name: "sources", shape: draw, sourceSize: MARKER, color: "#56B4E9",
        displayLabel: false,
      });
      this.aladin.addCatalog(this.catalog);
    }
    return this.catalog;
  }

  redraw() {
    const view = this.aladin.view;
    if (view && typeof view.requestRedraw === "function") view.requestRedraw();
  }

  showSources(msg) {
    const started = performance.now();
    const catalog = this.ensureCatalog();
    const sources = [];
    this.rawNames = new Map();
    this.looks = new Map();
    if (typeof msg.ring_deg === "number" && msg.ring_deg > 0) this.ringDeg = msg.ring_deg;
    for (const s of msg.sources) {
      const name = String(s.name);
      this.rawNames.set(s.id, name);
      this.looks.set(s.id, { name, shape: s.shape, color: s.color, selected: !!s.selected });
      sources.push(A.source(s.ra, s.dec, { name: escapeHtml(name), meta_ID: s.id }));
    }
    catalog.removeAll();
    catalog.addSources(sources);
    this.redraw(); // now, not at the next pointer event
    if (this.popup) {
      const id = Number(this.popup.dataset.id);
      if (this.rawNames.has(id)) {
        this.popup.querySelector(".oda-sky-popup-name").textContent = this.rawNames.get(id);
      } else {
        this.closePopup(); // its source was removed
      }
    }
    const drawn = catalog.getSources().map((s) => this.rawNames.get(s.data.meta_ID));
    // reported after the next frame (Aladin Lite redraws in it); a hidden tab has no frames,
    // so a timer reports too, whichever comes first
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      this.model.set("drawn", drawn);
      this.model.set("_redraw", {
        serial: msg.serial, ms: performance.now() - started, at: Date.now(),
      });
      this.model.save_changes();
    };
    requestAnimationFrame(report);
    setTimeout(report, 250);
  }

  // the image of the model's state (nothing while it holds none)
  showImage() {
    const msg = this.model.get("_image") || {};
    const fits = this.model.get("_image_fits");
    if (!msg.name || !fits || !fits.byteLength) return;
    const started = performance.now();
    const looks = this.model.get("_looks") || {};
    const url = URL.createObjectURL(new Blob([fits], { type: "application/fits" }));
    const options = {
      name: msg.name, colormap: looks.colormap, stretch: looks.stretch,
      minCut: looks.min_cut, maxCut: looks.max_cut,
    };
    let image = null;
    const done = () => {
      URL.revokeObjectURL(url);
      // Aladin Lite computes its own cuts when a FITS image loads: ours (as they are now) after
      this.applyCuts(image, this.model.get("_looks"));
      this.frame(msg);
      requestAnimationFrame(() => requestAnimationFrame(() => {
        this.imageShown = msg.name;
        this.model.send({ event_type: "oda_image_drawn", name: msg.name,
          ms: performance.now() - started, at: Date.now() });
      }));
    };
    const failed = (error) => {
      URL.revokeObjectURL(url);
      this.model.send({ event_type: "oda_image_failed", name: msg.name, error: String(error) });
    };
    image = this.aladin.createImageFITS(url, options, done, failed);
    this.image = image;
    // the mosaic is the base layer: no all-sky survey (online only) is asked for under it
    this.aladin.setBaseImageLayer(image);
  }

  // centre on the target (or the footprint), with a field of view that holds the extent in this
  // view's shape; never so wide that the PSF (psf_deg) spans fewer than MIN_PSF_PIXELS pixels
  frame(msg) {
    const [width, height] = this.aladin.getSize();
    const aspect = width > 0 && height > 0 ? width / height : 1;
    let fov = Math.min(180, 1.08 * Math.max(msg.width_deg, msg.height_deg * aspect));
    if (msg.psf_deg > 0 && width > 0) fov = Math.min(fov, (msg.psf_deg * width) / MIN_PSF_PIXELS);
    this.aladin.gotoRaDec(msg.ra, msg.dec);
    this.aladin.setFoV(fov);
  }

  applyCuts(image, looks) {
    if (!image || !looks || !looks.colormap) return;
    image.setColormap(looks.colormap, { stretch: looks.stretch });
    image.setCuts(looks.min_cut, looks.max_cut);
  }

  clicked(object) {
    if (!object || !object.data || object.data.meta_ID === undefined) return;
    const id = object.data.meta_ID;
    if (!this.rawNames.has(id)) return;
    this.showPopup(id, object);
    this.model.send({ event_type: "oda_source_clicked", id });
  }

  showPopup(id, object) {
    this.closePopup();
    const box = el("div", "oda-sky-popup");
    box.dataset.id = String(id);
    box.setAttribute("role", "status");
    box.appendChild(el("div", "oda-sky-popup-name", this.rawNames.get(id)));
    box.appendChild(el("div", "oda-sky-popup-coords",
      `RA ${Number(object.ra).toFixed(4)}°, Dec ${Number(object.dec).toFixed(4)}°`));
    const close = el("button", "oda-sky-popup-close", "×");
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", () => this.closePopup());
    box.appendChild(close);
    this.host.appendChild(box);
    this.popup = box;
  }

  closePopup() {
    if (this.popup) this.popup.remove();
    this.popup = null;
  }

  dispose() {
    this.model.off("msg:custom", this.onMessage);
    this.model.off("change:_image", this.onImage);
    this.model.off("change:_looks", this.onLooks);
    this.host.removeEventListener("wheel", this.onWheel, { capture: true });
    this.host.removeEventListener("pointerdown", this.onDown, { capture: true });
    this.host.removeEventListener("pointerleave", this.onLeave);
    this.closePopup();
  }
}

async function initialize({ model }) {
  try {
    await A.init;
  } catch (error) {
    startFailure = error;
  }
  return () => {};
}

function render({ model, el: host }) {
  // ipyaladin's own CSS first, ours after it (ours overrides where both say something)
  addStyle("sky_aladin", `${IPYALADIN_CSS}\n${SKY_CSS}`);
  host.classList.add("oda-sky-host");
  if (startFailure !== null) {
    showFailure(model, host, startFailure);
    return () => {};
  }
  let rendered;
  try {
    rendered = renderIpyaladin(model, host);
    if (!rendered.aladin) throw new Error("Aladin Lite made no view");
  } catch (error) {
    showFailure(model, host, error);
    return () => {};
  }
  const front = new SkyFrontEnd(model, host, rendered.aladin);
  front.showImage(); // the picture first: it is already in the model's state
  model.send({ event_type: "oda_ready" });
  return () => {
    front.dispose();
    if (typeof rendered.cleanup === "function") rendered.cleanup();
  };
}

export default { initialize, render };
