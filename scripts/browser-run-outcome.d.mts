/** The WebDriver failure `output` shows, or undefined when it shows none or a test failed. */
export function webDriverStall(output: string): string | undefined;
