import { enableCompileCache } from "node:module"

/**
 * Loaded before Moim's entry points (`node --import`, see the start scripts in package.json): keeps
 * V8's compiled code of every module on disk (`NODE_COMPILE_CACHE`, else the system's temporary
 * directory), so a restart compiles only what changed. It must run before the entry point's
 * imports are loaded, which an import inside the entry point cannot do.
 */
enableCompileCache()
