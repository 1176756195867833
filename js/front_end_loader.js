// The `_esm` of every oda_widgets widget: a few lines that load the widget's real front end once
// per page, from where Jupyter serves it, so that no widget's state carries the code.
//
// widgets/front_end_loader.py puts one line before this text:
//   const FRONT_END = {name, file, digest};     (file: "<name>.<digest>.js")
//
// 1. Served: JupyterLab, Notebook 7 and Voila serve Jupyter's labextensions folders at the page
//    config's `fullLabextensionsUrl`; the module is there as oda_widgets/static/<file>. Its name
//    holds its content hash, so a page of a newer version never gets an older file, and the
//    browser keeps it across reloads (`?v=` asks JupyterLab for a long cache; Voila revalidates).
// 2. Otherwise (a server without the file, a front end without that page config), the loader
//    asks the kernel over the widget's own messages; the kernel answers with the module's bytes.
//    anywidget holds a model's incoming messages until its initialize has returned, so on this
//    path initialize returns at once: the real module's initialize runs when the code has come
//    (with the messages that came meanwhile replayed to it), and every render waits for that.
// Either way the module is loaded once per page: every widget of the kind shares one promise.
// Nothing is fetched from outside the Jupyter server.

const LOADED = (globalThis.__odaWidgetsFrontEnds ??= new Map());

function servedUrl() {
  const node = document.getElementById("jupyter-config-data");
  if (!node) return null;
  let config;
  try {
    config = JSON.parse(node.textContent || "{}");
  } catch (_error) {
    return null;
  }
  const base = config.fullLabextensionsUrl;
  if (typeof base !== "string" || !base) return null;
  const path = `${base.replace(/\/+$/, "")}/oda_widgets/static/${FRONT_END.file}`;
  return new URL(`${path}?v=${FRONT_END.digest}`, document.baseURI).href;
}

async function servedModule() {
  const url = servedUrl();
  if (!url) return null;
  try {
    return await import(url);
  } catch (error) {
    console.info(`oda_widgets: ${FRONT_END.file} is not served here (${error}); ` +
      "asking the kernel for it");
    return null;
  }
}

function moduleFromKernel(model) {
  return new Promise((resolve, reject) => {
    const answer = (message, buffers) => {
      if (!message || message.oda_front_end !== FRONT_END.file) return;
      model.off("msg:custom", answer);
      if (message.error || !buffers || !buffers.length) {
        reject(new Error(message.error || "the kernel sent no code"));
        return;
      }
      const url = URL.createObjectURL(new Blob([buffers[0]], { type: "text/javascript" }));
      import(url).then(resolve, reject).finally(() => URL.revokeObjectURL(url));
    };
    model.on("msg:custom", answer);
    model.send({ event_type: "oda_front_end_code", file: FRONT_END.file });
  });
}

function widgetOf(module) {
  return typeof module.default === "function" ? module.default() : module.default;
}

// The page's one load of this front end: {served, widget, pending}. `served` settles after the
// served file was tried (its widget, or null); `widget` settles with the widget from either way.
function frontEnd(model) {
  let entry = LOADED.get(FRONT_END.file);
  if (!entry) {
    entry = { pending: new Set() };
    entry.served = servedModule().then((module) => (module ? widgetOf(module) : null));
    entry.widget = entry.served.then((widget) =>
      widget || moduleFromKernel(model).then(widgetOf));
    LOADED.set(FRONT_END.file, entry);
    // a failure (the kernel gone, say) is not remembered: the next view tries again
    entry.widget.catch(() => LOADED.delete(FRONT_END.file));
  }
  return entry;
}

// The model as the real initialize sees it, with the messages that came before it listened.
function replaying(model) {
  const early = [];
  const keep = (message, buffers) => {
    if (!(message && message.oda_front_end)) early.push([message, buffers]);
  };
  model.on("msg:custom", keep);
  const proxy = {
    ...model,
    on(name, callback) {
      model.on(name, callback);
      if (name === "msg:custom") {
        for (const [message, buffers] of early) callback(message, buffers);
      }
    },
  };
  return { proxy, done: () => model.off("msg:custom", keep) };
}

export default {
  async initialize(context) {
    const entry = frontEnd(context.model);
    const served = await entry.served;
    if (served) return served.initialize ? served.initialize(context) : undefined;
    const { proxy, done } = replaying(context.model);
    let cleanup;
    const initialized = entry.widget
      .then((widget) => widget.initialize && widget.initialize({ ...context, model: proxy }))
      .then((result) => { cleanup = result; })
      .finally(done);
    entry.pending.add(initialized);
    return () => { if (typeof cleanup === "function") cleanup(); };
  },
  async render(context) {
    const entry = frontEnd(context.model);
    const widget = await entry.widget;
    await Promise.allSettled([...entry.pending]);
    return widget.render ? widget.render(context) : undefined;
  },
};
