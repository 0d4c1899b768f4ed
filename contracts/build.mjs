// Compiles contracts/src with solc-js (standard JSON) and writes contracts/artifacts/<Name>.json.
// `node build.mjs --check` recompiles and exits 1 if any committed artifact differs or is missing.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(HERE, "src");
const OUT = path.join(HERE, "artifacts");
const NODE_MODULES = path.join(HERE, "node_modules");
const SOLC_VERSION = "0.8.37";
// Newest EVM version that both solc 0.8.37 and anvil 1.7.1's default hardfork support, and that
// the L1 chains numo targets run (Prague: Pectra).
const EVM_VERSION = "prague";

const check = process.argv.includes("--check");

if (!solc.version().startsWith(SOLC_VERSION + "+")) {
  console.error(`expected solc ${SOLC_VERSION}, got ${solc.version()}`);
  process.exit(2);
}

const files = fs.readdirSync(SRC).filter((f) => f.endsWith(".sol")).sort();
const sources = {};
for (const f of files) sources[`src/${f}`] = { content: fs.readFileSync(path.join(SRC, f), "utf8") };

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: EVM_VERSION,
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};

function findImports(importPath) {
  if (importPath.startsWith("@openzeppelin/")) {
    const p = path.join(NODE_MODULES, importPath);
    if (fs.existsSync(p)) return { contents: fs.readFileSync(p, "utf8") };
  }
  const local = path.join(HERE, importPath);
  if (importPath.startsWith("src/") && fs.existsSync(local)) return { contents: fs.readFileSync(local, "utf8") };
  return { error: `import not found: ${importPath}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
let failed = false;
for (const e of output.errors ?? []) {
  if (e.severity === "error") failed = true;
  console.error(e.formattedMessage);
}
if (failed) process.exit(1);

const artifacts = {};
for (const file of Object.keys(output.contracts ?? {}).filter((f) => f.startsWith("src/")).sort()) {
  for (const [name, c] of Object.entries(output.contracts[file])) {
    const bytecode = c.evm.bytecode.object;
    if (!bytecode) continue; // interfaces and abstract contracts are not deployable
    artifacts[name] = JSON.stringify({ contractName: name, abi: c.abi, bytecode: "0x" + bytecode }, null, 2) + "\n";
  }
}

if (check) {
  let stale = false;
  for (const [name, text] of Object.entries(artifacts)) {
    const p = path.join(OUT, `${name}.json`);
    if (!fs.existsSync(p) || fs.readFileSync(p, "utf8") !== text) {
      console.error(`artifact out of date: artifacts/${name}.json (run: node build.mjs)`);
      stale = true;
    }
  }
  for (const f of fs.existsSync(OUT) ? fs.readdirSync(OUT) : []) {
    if (f.endsWith(".json") && !(f.slice(0, -5) in artifacts)) {
      console.error(`artifact without a contract: artifacts/${f}`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
  console.log(`artifacts up to date (${Object.keys(artifacts).length} contracts, solc ${solc.version()})`);
} else {
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, text] of Object.entries(artifacts)) fs.writeFileSync(path.join(OUT, `${name}.json`), text);
  console.log(`wrote ${Object.keys(artifacts).length} artifacts to artifacts/ (solc ${solc.version()})`);
}
