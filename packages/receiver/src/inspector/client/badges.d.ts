// Types for the Node-side tests of this browser module (the page itself needs none).
export declare const TERMINAL_STATUSES: readonly string[]
export declare function statusBadge(status: string | null): HTMLElement
export declare function verdictBadge(verdict: string, short?: boolean): HTMLElement
export declare function verdictText(verdict: string): string
export declare function modeBadge(liveMode: boolean | null): HTMLElement
