export function printReport(results) { return JSON.stringify(results, null, 1).slice(0, 20000); }
export async function writeMarkdown() {}
export async function writeChart() {}
