import { defineConfig } from "vite";

// The API lives on the same origin as the pages (the local gateway serves web/dist
// at http://localhost:3000/). For `npm run dev`, MYCRM_API (default
// http://localhost:3000) receives the API paths through Vite's proxy.
const api = process.env.MYCRM_API ?? "http://localhost:3000";
const apiPaths = [
  "/config",
  "/activation",
  "/apporteurs",
  "/contacts",
  "/entreprises",
  "/produits",
  "/affaires",
  "/espace-apporteur",
  "/openapi.json",
];

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", sourcemap: true, target: "es2022" },
  server: {
    proxy: Object.fromEntries(
      apiPaths.map((p) => [
        p,
        {
          target: api,
          changeOrigin: true,
          // Page navigations (Accept: text/html) stay with the SPA.
          bypass: (req: { headers: Record<string, string | string[] | undefined> }) =>
            String(req.headers.accept ?? "").includes("text/html") ? "/index.html" : undefined,
        },
      ]),
    ),
  },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
} as any);
