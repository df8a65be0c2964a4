// API reference: TypeDoc reads the TSDoc of every public package's entry points and writes
// Markdown (typedoc-plugin-markdown + typedoc-vitepress-theme) into site/api, one section per package.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Application, Converter } from 'typedoc';

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
  const names = new Map(all.map((e) => [e.src, e.name]));
  const app = await Application.bootstrapWithPlugins({
    entryPoints: all.map((e) => e.src),
    entryPointStrategy: 'resolve',
    tsconfig: join(repo, 'apps/docs/tsconfig.typedoc.json'),
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out,
    readme: 'none',
    skipErrorChecking: true,
    excludePrivate: true,
    excludeInternal: true,
    hideGenerator: true,
    disableSources: true,
    hidePageHeader: true,
    sanitizeComments: true,
    entryFileName: 'index',
    docsRoot: join(repo, 'apps/docs/site'),
    sidebar: { autoConfiguration: true, format: 'vitepress', pretty: false, collapsed: true },
    logLevel: 'Warn',
  });
  // Name each module after the import specifier a user writes, not after its source folder.
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (reflection.kindOf?.(2 /* Module */)) {
      const file = reflection.sources?.[0]?.fullFileName;
      for (const [src, name] of names) if (file && relative(src, file) === '') reflection.name = name;
    }
  });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the packages (see the messages above)');
  for (const child of project.children ?? []) {
    const hit = all.find((e) => e.name === child.name || child.name.includes(`${e.pkg}/src`));
    if (hit && !child.name.startsWith('@emms/')) child.name = hit.name;
  }
  await app.generateOutputs(project);
  const sidebarFile = join(out, 'typedoc-sidebar.json');
  return existsSync(sidebarFile) ? JSON.parse(readFileSync(sidebarFile, 'utf8')) : [];
}
