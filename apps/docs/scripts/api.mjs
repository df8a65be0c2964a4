// API reference: TypeDoc reads the TSDoc of every public package's entry points and writes
// Markdown (typedoc-plugin-markdown + typedoc-vitepress-theme) into site/api, one section per package.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Application } from 'typedoc';

/** The public packages, in the order the sidebar lists them. */
export const API_PACKAGES = [
  'tensor-io',
  'linalg',
  'metric-spec',
  'metrics',
  'harness',
  'feature-extractors',
  'label-embedders',
];

/** Entry files of a package from its package.json "exports" (dist/x.js -> src/x.ts). */
function entries(repo, pkg) {
  const dir = join(repo, 'packages', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const out = [];
  for (const [key, target] of Object.entries(manifest.exports ?? { '.': manifest.main })) {
    const file = typeof target === 'string' ? target : (target.import?.default ?? target.default);
    if (typeof file !== 'string') continue;
    const src = join(dir, file.replace(/^\.\/dist\//, 'src/').replace(/\.(c|m)?js$/, '.ts'));
    if (existsSync(src)) out.push({ key, src, name: `@emms/${pkg}${key === '.' ? '' : key.slice(1)}` });
  }
  return out;
}

/** Writes the API reference under `out`; returns the sidebar items. */
export async function generateApi(repo, out) {
  const all = API_PACKAGES.flatMap((p) => entries(repo, p).map((e) => ({ ...e, pkg: p })));
  const app = await Application.bootstrapWithPlugins({
    entryPoints: all.map((e) => e.src),
    entryPointStrategy: 'resolve',
    tsconfig: join(repo, 'apps/docs/tsconfig.typedoc.json'),
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out,
    readme: 'none',
    skipErrorChecking: true,
    excludePrivate: true,
    // Re-exports of other libraries (metric-spec re-exports zod's z) belong to their own docs.
    excludeExternals: true,
    excludeInternal: true,
    hideGenerator: true,
    disableSources: true,
    hidePageHeader: true,
    sanitizeComments: true,
    entryFileName: 'index',
    // One page per package (not per declaration): a few long pages build much faster than hundreds.
    outputFileStrategy: 'modules',
    docsRoot: join(repo, 'apps/docs/site'),
    sidebar: { autoConfiguration: true, format: 'vitepress', pretty: false, collapsed: true },
    logLevel: 'Warn',
  });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the packages (see the messages above)');
  // Name each module after the import specifier a user writes ("@emms/tensor-io/node"), not after
  // its source folder ("tensor-io/src/node").
  for (const child of project.children ?? []) {
    const m = /(?:^|\/)([\w-]+)\/src(?:\/(.+?))?(?:\/index)?$/.exec(child.name);
    if (m) child.name = `@emms/${m[1]}${m[2] && m[2] !== 'index' ? `/${m[2]}` : ''}`;
  }
  const order = (name) =>
    API_PACKAGES.findIndex((p) => name === `@emms/${p}` || name.startsWith(`@emms/${p}/`));
  project.children?.sort((x, y) => order(x.name) - order(y.name) || x.name.localeCompare(y.name));
  await app.generateOutputs(project);
  const sidebarFile = join(out, 'typedoc-sidebar.json');
  const sidebar = existsSync(sidebarFile) ? JSON.parse(readFileSync(sidebarFile, 'utf8')) : [];
  return sidebar.sort((x, y) => order(x.text) - order(y.text) || x.text.localeCompare(y.text));
}
