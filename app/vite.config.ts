import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** The wallet adapter's stylesheet imports a font from Google; the app
 * loads nothing from outside its own origin and the chain it talks to. */
function noRemoteFonts(): Plugin {
  return {
    name: 'no-remote-fonts',
    transform(code, id) {
      if (!id.endsWith('.css')) return null;
      return code.replace(/@import url\(['"]?https:\/\/fonts\.googleapis\.com[^)]*\);?/g, '');
    },
  };
}

// The build is what `ioc up` serves (app/dist); the committed IDL is read
// from ../idl, so the app always speaks the program it ships with.
export default defineConfig({
  plugins: [noRemoteFonts(), react()],
  base: './',
  build: { outDir: 'dist', chunkSizeWarningLimit: 2048 },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
});
