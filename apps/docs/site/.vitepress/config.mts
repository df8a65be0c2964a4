import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';

interface SidebarItem {
  text: string;
  link?: string;
  items?: SidebarItem[];
  collapsed?: boolean;
}

const generatedFile = fileURLToPath(new URL('./generated/sidebar.json', import.meta.url));
if (!existsSync(generatedFile)) {
  throw new Error('the generated pages are missing: run `pnpm --filter @emms/docs generate` first');
}
const generated = JSON.parse(readFileSync(generatedFile, 'utf8')) as Record<string, SidebarItem[]>;
const hasResults = generated.results.length > 0;

const guide: SidebarItem[] = [
  {
    text: 'Guide',
    items: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'Concepts', link: '/concepts' },
      { text: 'Bring your own data', link: '/bring-your-own-data' },
      { text: 'Playground', link: '/playground' },
      { text: 'Write a baseline package', link: '/write-a-baseline' },
      { text: "Reproduce the paper's tables", link: '/reproduce' },
    ],
  },
];

export default defineConfig({
  title: 'emms',
  description:
    'Pick the pretrained model to fine-tune before spending a GPU-week: EMMS and its baselines in TypeScript.',
  outDir: '../dist',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  cleanUrls: false,
  lastUpdated: false,
  // Broken internal links fail the build (VitePress's default; keep it).
  ignoreDeadLinks: false,
  markdown: { math: true },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'Scores', link: '/scores/' },
      { text: 'CLI', link: '/cli/' },
      { text: 'API', link: '/api/' },
      ...(hasResults ? [{ text: 'Results', link: '/results/' }] : []),
      { text: 'Playground', link: '/playground' },
    ],
    sidebar: {
      '/scores/': [{ text: 'Scores', items: generated.scores }, ...guide],
      '/cli/': [{ text: 'Command line', items: generated.cli }, ...guide],
      '/api/': [{ text: 'API reference', link: '/api/', items: generated.api }],
      '/results/': [{ text: 'Results', items: generated.results }, ...guide],
      '/': [
        ...guide,
        { text: 'Scores', collapsed: true, items: generated.scores },
        { text: 'Command line', collapsed: true, items: generated.cli },
      ],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
  vite: {
    worker: { format: 'es' },
    build: { chunkSizeWarningLimit: 4000 },
  },
});
