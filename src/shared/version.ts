/** The app's name and version as recordings and the About box state them; package.json's, checked by a test. */
export const APP_NAME = 'Interleave'
export const APP_VERSION = '0.1.0'
