// Front end of oda_widgets.widgets.page_actions.PageActions: what the kernel asks the page to do.
//
//   {action: "scroll", within, target}  bring the element `target` (a CSS selector) inside the
//                                        closest `within` ancestor of this widget into view
//   {action: "download", name, mime}     + one buffer: save the bytes as a file in the browser
//
// The widget itself shows nothing. Names are set as the download attribute (text), never as HTML.

function scrollTo(host, message) {
  const scope = host.closest(message.within) || document;
  const target = scope.querySelector(message.target);
  if (!target) return false;
  // after the layout of what was just added: two frames
  requestAnimationFrame(() => requestAnimationFrame(() => {
    target.scrollIntoView({ block: "start", behavior: "smooth" });
  }));
  return true;
}

function download(host, message, buffers) {
  if (!buffers || !buffers.length) return false;
  const blob = new Blob([buffers[0]], { type: message.mime || "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = String(message.name || "product");
  link.hidden = true;
  host.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return true;
}

function render({ model, el: host }) {
  host.classList.add("oda-page-actions");
  host.style.display = "none";
  const onMessage = (message, buffers) => {
    if (!message || typeof message !== "object") return;
    let done = false;
    if (message.action === "scroll") done = scrollTo(host, message);
    else if (message.action === "download") done = download(host, message, buffers);
    model.send({ event: "done", action: message.action, serial: message.serial, done });
  };
  model.on("msg:custom", onMessage);
  return () => model.off("msg:custom", onMessage);
}

export default { render };
