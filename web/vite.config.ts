// Build: hashed file names under dist/assets, no timestamps or absolute paths in the output, so
// the same sources give the same bytes (CI rebuilds and diffs the committed dist/).
import { defineConfig } from 'vite';

const node = process.env.NUMO_NODE ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/v1': { target: node, ws: true, changeOrigin: true },
      '/health': { target: node },
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
  },
} as any);
