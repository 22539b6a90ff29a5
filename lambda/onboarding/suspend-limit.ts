/**
 * The most people one file may suspend unless told otherwise: a leavers file over it suspends
 * nobody. On its own, so the command line can show it in --help without loading the engine.
 */
export const DEFAULT_SUSPEND_LIMIT = 20;
