// Bundles each widget's front end into one ES module (run by scripts/build_front_ends.py).
//
// Arguments: output folder, ipyaladin's widget.js, its widget.css, Aladin Lite's dist/aladin.js,
// its version, then the entry files (js/sky_aladin.js, js/catalog_table.js, ...). Each output file
// holds its entry with everything it imports (js/dom.js, its stylesheet as text): the served file
// imports nothing at run time. Three specifiers are resolved here, and nothing else may reach
// outside the machine:
//   "ipyaladin-front-end"               -> ipyaladin's installed static/widget.js
//   "ipyaladin-front-end.css"           -> ipyaladin's installed static/widget.css
//   "https://esm.sh/aladin-lite@<ver>"  -> the npm package's dist/aladin.js (the same version)
// and our own `import A from "aladin-lite"` resolves to that same file, so ipyaladin's code and
// ours share one Aladin Lite module instance.
import * as esbuild from "esbuild";

const [outdir, ipyaladinJs, ipyaladinCss, aladinJs, version, ...entries] = process.argv.slice(2);
const cdn = `https://esm.sh/aladin-lite@${version}`;

const localModules = {
  name: "local-modules",
  setup(build) {
    build.onResolve({ filter: /^ipyaladin-front-end$/ }, () => ({ path: ipyaladinJs }));
    build.onResolve({ filter: /^ipyaladin-front-end\.css$/ }, () => ({ path: ipyaladinCss }));
    build.onResolve({ filter: /^aladin-lite$/ }, () => ({ path: aladinJs }));
    build.onResolve({ filter: /^https?:\/\// }, (args) => {
      if (args.path === cdn) return { path: aladinJs };
      return { errors: [{ text: `unexpected remote import ${args.path} (expected ${cdn})` }] };
    });
  },
};

await esbuild.build({
  entryPoints: entries,
  bundle: true,
  format: "esm",
  target: "es2020",
  outdir,
  // a stylesheet is imported as its text: js/dom.js's addStyle puts it in the page once
  loader: { ".css": "text" },
  plugins: [localModules],
  legalComments: "eof",
  logLevel: "warning",
});
