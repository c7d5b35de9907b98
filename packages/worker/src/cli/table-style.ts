import pc from 'picocolors';

/** Table style: cli-table3 colours its header red by default; ours, and none when colour is off. */
export const TABLE_STYLE = { head: pc.isColorSupported ? ['cyan'] : [], border: pc.isColorSupported ? ['grey'] : [] };
