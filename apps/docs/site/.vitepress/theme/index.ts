import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import EmmsPlayground from './EmmsPlayground.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('EmmsPlayground', EmmsPlayground);
  },
} satisfies Theme;
