/**
 * The console's root directory: `apps/console/src` when run from source, the bundle's directory
 * (`dist/apps/console`) in a build, where the views and public assets are copied with their paths.
 */
export const CONSOLE_ROOT = __dirname;
