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

function fromKernel(model) {
  return new Promise((resolve, reject) => {
    const answer = (message, buffers) => {
      if (!message || message.oda_front_end !== FRONT_END.file) return;
      model.off("msg:custom", answer);
      if (message.error || !buffers || !buffers.length) {
        reject(new Error(message.error || "the kernel sent no code"));
        return;
      }
      const url = URL.createObjectURL(new Blob([buffers[0]], { type: "text/javascript" }));
      import(url).then(resolve, reject)
        .finally(() => URL.revokeObjectURL(url));
    };
    model.on("msg:custom", answer);
    model.send({ event_type: "oda_front_end_code", file: FRONT_END.file });
  });
}

async function loadModule(model) {
  const url = servedUrl();
  if (url) {
    try {
      return await import(url);
    } catch (error) {
      console.info(`oda_widgets: ${FRONT_END.file} is not served here (${error}); ` +
        "asking the kernel for it");
    }
  }
  return fromKernel(model);
}

function frontEnd(model) {
  let loading = LOADED.get(FRONT_END.file);
  if (!loading) {
    loading = loadModule(model).then((module) =>
      typeof module.default === "function" ? module.default() : module.default);
    LOADED.set(FRONT_END.file, loading);
    // a failure (the kernel gone, say) is not remembered: the next view tries again
    loading.catch(() => LOADED.delete(FRONT_END.file));
  }
  return loading;
}

export default {
  async initialize(context) {
    const widget = await frontEnd(context.model);
    return widget.initialize ? widget.initialize(context) : undefined;
  },
  async render(context) {
    const widget = await frontEnd(context.model);
    return widget.render ? widget.render(context) : undefined;
  },
};
