/** The global the shared-modules preload defines for Slipway's module sharing: module id → the record runs share. */
export const SHARED_MODULE_STORE = '__slipwaySharedModuleRecords';
