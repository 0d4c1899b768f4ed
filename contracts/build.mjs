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

// Deployable contracts (src/) go to artifacts/; test-only contracts (test/solidity/) to artifacts/test/.
const TREES = [
  { dir: "src", out: OUT },
  { dir: "test/solidity", out: path.join(OUT, "test") },
  // Contracts of numo's own EVM (docs/EVM.md): the system contract's runtime code goes into every
  // venue's genesis, so these artifacts also carry `deployedBytecode`.
  { dir: "evm", out: path.join(OUT, "evm"), runtime: true },
];
const sources = {};
for (const t of TREES) {
  for (const f of fs.readdirSync(path.join(HERE, t.dir)).filter((f) => f.endsWith(".sol")).sort()) {
    sources[`${t.dir}/${f}`] = { content: fs.readFileSync(path.join(HERE, t.dir, f), "utf8") };
  }
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: EVM_VERSION,
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

function findImports(importPath) {
  if (importPath.startsWith("@openzeppelin/")) {
    const p = path.join(NODE_MODULES, importPath);
    if (fs.existsSync(p)) return { contents: fs.readFileSync(p, "utf8") };
  }
  return { error: `import not found: ${importPath}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
let failed = false;
for (const e of output.errors ?? []) {
  if (e.severity === "error") failed = true;
  console.error(e.formattedMessage);
}
if (failed) process.exit(1);

// artifacts: path relative to artifacts/ ("NumoBridge.json", "test/X.json") -> text
const artifacts = {};
for (const t of TREES) {
  const prefix = path.relative(OUT, t.out);
  for (const file of Object.keys(output.contracts ?? {}).filter((f) => path.dirname(f) === t.dir).sort()) {
    for (const [name, c] of Object.entries(output.contracts[file])) {
      const bytecode = c.evm.bytecode.object;
      if (!bytecode) continue; // interfaces and abstract contracts are not deployable
      const rel = prefix ? `${prefix}/${name}.json` : `${name}.json`;
      const artifact = { contractName: name, abi: c.abi, bytecode: "0x" + bytecode };
      if (t.runtime) artifact.deployedBytecode = "0x" + c.evm.deployedBytecode.object;
      artifacts[rel] = JSON.stringify(artifact, null, 2) + "\n";
    }
  }
}

if (check) {
  let stale = false;
  for (const [rel, text] of Object.entries(artifacts)) {
    const p = path.join(OUT, rel);
    if (!fs.existsSync(p) || fs.readFileSync(p, "utf8") !== text) {
      console.error(`artifact out of date: artifacts/${rel} (run: node build.mjs)`);
      stale = true;
    }
  }
  for (const t of TREES) {
    const prefix = path.relative(OUT, t.out);
    for (const f of fs.existsSync(t.out) ? fs.readdirSync(t.out) : []) {
      const rel = prefix ? `${prefix}/${f}` : f;
      if (f.endsWith(".json") && !(rel in artifacts)) {
        console.error(`artifact without a contract: artifacts/${rel}`);
        stale = true;
      }
    }
  }
  if (stale) process.exit(1);
  console.log(`artifacts up to date (${Object.keys(artifacts).length} contracts, solc ${solc.version()})`);
} else {
  for (const [rel, text] of Object.entries(artifacts)) {
    fs.mkdirSync(path.dirname(path.join(OUT, rel)), { recursive: true });
    fs.writeFileSync(path.join(OUT, rel), text);
  }
  console.log(`wrote ${Object.keys(artifacts).length} artifacts to artifacts/ (solc ${solc.version()})`);
}
