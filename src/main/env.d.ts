// electron-vite's build-time modules: `?modulePath` imports and ELECTRON_RENDERER_URL.
/// <reference types="electron-vite/node" />
