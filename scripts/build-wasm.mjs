#!/usr/bin/env node
// Assembles the hand-written WebAssembly text (the FL kernels in src/fl/wasm/*.wat, the study's SIMD array sum in
// src/bench/cases/*.wat) into .wasm binaries with wabt, next to their source (where `tsx` runs them) and under
// dist/ (where the compiled package loads them).
// Usage: node scripts/build-wasm.mjs. Needs the `wabt` npm package (a devDependency; nothing runs at install).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folders = ['fl/wasm', 'bench/cases'];

const wabt = await initWabt();
for (const folder of folders) {
  const srcDir = join(root, 'src', folder);
  const outDirs = [srcDir, join(root, 'dist', folder)];
  for (const name of readdirSync(srcDir).filter((f) => f.endsWith('.wat')).sort()) {
    assemble(srcDir, name, outDirs);
  }
}

function assemble(srcDir, name, outDirs) {
  const text = readFileSync(join(srcDir, name), 'utf8');
  // SIMD for f32x4, threads for the shared memory the kernels import.
  const features = { simd: true, threads: true };
  const mod = wabt.parseWat(name, text, features);
  try {
    mod.validate(features);
    const { buffer } = mod.toBinary({ log: false, write_debug_names: true });
    const out = name.replace(/\.wat$/, '.wasm');
    for (const dir of outDirs) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, out), buffer);
    }
    console.log(`build-wasm: ${name} -> ${out} (${buffer.length} bytes)`);
  } finally {
    mod.destroy();
  }
}
