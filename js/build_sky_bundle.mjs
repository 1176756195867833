// Bundles the sky view's front end into one ES module (run by scripts/build_sky_bundle.py).
//
// Arguments: entry, ipyaladin's widget.js, Aladin Lite's dist/aladin.js, its version, output.
// Two specifiers are resolved here, and nothing else may reach outside the machine:
//   "ipyaladin-front-end"               -> ipyaladin's installed static/widget.js
//   "https://esm.sh/aladin-lite@<ver>"  -> the npm package's dist/aladin.js (the same version)
// and our own `import A from "aladin-lite"` resolves to that same file, so ipyaladin's code and
// ours share one Aladin Lite module instance.
import * as esbuild from "esbuild";

const [entry, ipyaladinJs, aladinJs, version, outfile] = process.argv.slice(2);
const cdn = `https://esm.sh/aladin-lite@${version}`;

const localModules = {
  name: "local-modules",
  setup(build) {
    build.onResolve({ filter: /^ipyaladin-front-end$/ }, () => ({ path: ipyaladinJs }));
    build.onResolve({ filter: /^aladin-lite$/ }, () => ({ path: aladinJs }));
    build.onResolve({ filter: /^https?:\/\// }, (args) => {
      if (args.path === cdn) return { path: aladinJs };
      return { errors: [{ text: `unexpected remote import ${args.path} (expected ${cdn})` }] };
    });
  },
};

await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  format: "esm",
  target: "es2020",
  outfile,
  plugins: [localModules],
  legalComments: "eof",
  logLevel: "warning",
});
